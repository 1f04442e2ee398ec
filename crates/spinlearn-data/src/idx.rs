//! Reader for the IDX format of the MNIST files (gzip-compressed or raw): a big-endian magic number
//! whose third byte is the element type (0x08 = u8) and fourth the number of dimensions, then the
//! dimensions as big-endian u32, then the elements.

use crate::error::{DataError, Result};
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::Path;

/// An IDX array of unsigned bytes: `dims` and the elements in row-major order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// Dimensions, e.g. `[10000, 28, 28]`.
    pub dims: Vec<usize>,
    /// The elements, `dims.iter().product()` of them.
    pub data: Vec<u8>,
}

/// Reads an IDX file of u8 elements, gunzipping it when it starts with the gzip magic.
/// `expected_magic` (2051 for images, 2049 for labels) is checked when given.
pub fn read_idx(path: &Path, expected_magic: Option<u32>) -> Result<IdxArray> {
    let bytes = crate::npy::read_file_within_limit(path)?;
    parse_idx(&bytes, path, expected_magic)
}

/// Parses IDX bytes (gzip or raw); `path` only names the source in errors. A gzip stream is
/// inflated as it is read: the IDX header first, then exactly the bytes its dimensions declare,
/// refused beforehand when they exceed the memory limit ([`spinlearn_core::mem`]), so a small file
/// that inflates to gigabytes is never inflated.
pub fn parse_idx(bytes: &[u8], path: &Path, expected_magic: Option<u32>) -> Result<IdxArray> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut gz = GzDecoder::new(bytes);
        read_stream(&mut gz, path, expected_magic, None).map_err(|e| match e {
            Failure::Io(e) => DataError::format(path, format!("corrupt gzip stream: {e}")),
            Failure::Data(e) => e,
        })
    } else {
        let mut r = bytes;
        read_stream(&mut r, path, expected_magic, Some(bytes.len())).map_err(|e| match e {
            Failure::Io(e) => DataError::format(path, format!("cannot read IDX data: {e}")),
            Failure::Data(e) => e,
        })
    }
}

enum Failure {
    Io(std::io::Error),
    Data(DataError),
}

impl From<DataError> for Failure {
    fn from(e: DataError) -> Self {
        Failure::Data(e)
    }
}

/// Fills `buf`, or reports how many bytes the stream held (`Ok(n < buf.len())`).
fn fill(r: &mut impl Read, buf: &mut [u8]) -> std::result::Result<usize, Failure> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Failure::Io(e)),
        }
    }
    Ok(n)
}

fn read_stream(
    r: &mut impl Read,
    path: &Path,
    expected_magic: Option<u32>,
    total: Option<usize>,
) -> std::result::Result<IdxArray, Failure> {
    let mut head = [0u8; 4];
    if fill(r, &mut head)? < 4 {
        return Err(DataError::format(path, "truncated: no IDX header").into());
    }
    let magic = u32::from_be_bytes(head);
    if head[0] != 0 || head[1] != 0 {
        return Err(
            DataError::format(path, format!("not an IDX file (magic {magic:#010x})")).into(),
        );
    }
    if let Some(m) = expected_magic
        && magic != m
    {
        return Err(DataError::format(
            path,
            format!("wrong IDX magic number {magic}, expected {m}"),
        )
        .into());
    }
    if head[2] != 0x08 {
        return Err(DataError::format(
            path,
            format!(
                "unsupported IDX element type {:#04x} (only u8 is supported)",
                head[2]
            ),
        )
        .into());
    }
    let ndim = head[3] as usize;
    if ndim == 0 {
        return Err(DataError::format(path, "IDX header declares zero dimensions").into());
    }
    let mut raw_dims = vec![0u8; 4 * ndim];
    if fill(r, &mut raw_dims)? < raw_dims.len() {
        return Err(DataError::format(path, "truncated IDX header").into());
    }
    let dims: Vec<usize> = raw_dims
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let n = spinlearn_core::mem::admit(spinlearn_core::mem::array_bytes(&dims, 1))
        .map_err(|why| DataError::format(path, format!("dimensions {dims:?}: {why}")))?;
    let header = 4 + 4 * ndim;
    if let Some(total) = total {
        let body = (total - header) as u64;
        if body < n {
            return Err(DataError::format(
                path,
                format!("truncated: dimensions {dims:?} need {n} bytes of data, found {body}"),
            )
            .into());
        }
    }
    let mut data = Vec::new();
    let got = r
        .take(n.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(Failure::Io)? as u64;
    if got < n {
        return Err(DataError::format(
            path,
            format!("truncated: dimensions {dims:?} need {n} bytes of data, found {got}"),
        )
        .into());
    }
    if got > n || total.is_some_and(|t| (t - header) as u64 > n) {
        let extra = total.map_or("trailing bytes".to_string(), |t| {
            format!("{} trailing bytes", (t - header) as u64 - n)
        });
        return Err(DataError::format(path, format!("{extra} after {n} elements")).into());
    }
    Ok(IdxArray { dims, data })
}

/// Encodes a u8 array as raw IDX bytes (magic 0x0000_08_ndim), for tests and exports.
pub fn encode_idx(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn round_trip_and_errors() {
        let p = PathBuf::from("mem.idx");
        let bytes = encode_idx(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        let a = parse_idx(&bytes, &p, Some(0x0000_0802)).unwrap();
        assert_eq!(a.dims, vec![2, 3]);
        assert_eq!(a.data, vec![1, 2, 3, 4, 5, 6]);
        let e = parse_idx(&bytes[..bytes.len() - 1], &p, None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("mem.idx: truncated"), "{e}");
        let e = parse_idx(&bytes, &p, Some(2051)).unwrap_err().to_string();
        assert!(
            e.contains("wrong IDX magic number 2050, expected 2051"),
            "{e}"
        );
        assert!(parse_idx(b"PK\x03\x04", &p, None).is_err());
        assert!(parse_idx(&[0, 0], &p, None).is_err());
        let gz_corrupt = [0x1f, 0x8b, 8, 0, 1, 2, 3];
        assert!(
            parse_idx(&gz_corrupt, &p, None)
                .unwrap_err()
                .to_string()
                .contains("gzip")
        );
    }
}
