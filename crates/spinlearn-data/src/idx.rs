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
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    parse_idx(&bytes, path, expected_magic)
}

/// Parses IDX bytes (gzip or raw); `path` only names the source in errors.
pub fn parse_idx(bytes: &[u8], path: &Path, expected_magic: Option<u32>) -> Result<IdxArray> {
    let raw;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| DataError::format(path, format!("corrupt gzip stream: {e}")))?;
        raw = out;
        &raw[..]
    } else {
        bytes
    };
    if bytes.len() < 4 {
        return Err(DataError::format(path, "truncated: no IDX header"));
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(DataError::format(
            path,
            format!("not an IDX file (magic {magic:#010x})"),
        ));
    }
    if let Some(m) = expected_magic
        && magic != m
    {
        return Err(DataError::format(
            path,
            format!("wrong IDX magic number {magic}, expected {m}"),
        ));
    }
    if bytes[2] != 0x08 {
        return Err(DataError::format(
            path,
            format!(
                "unsupported IDX element type {:#04x} (only u8 is supported)",
                bytes[2]
            ),
        ));
    }
    let ndim = bytes[3] as usize;
    if ndim == 0 {
        return Err(DataError::format(
            path,
            "IDX header declares zero dimensions",
        ));
    }
    let header = 4 + 4 * ndim;
    if bytes.len() < header {
        return Err(DataError::format(path, "truncated IDX header"));
    }
    let dims: Vec<usize> = (0..ndim)
        .map(|d| {
            let o = 4 + 4 * d;
            u32::from_be_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as usize
        })
        .collect();
    let n: usize = dims.iter().product();
    let body = &bytes[header..];
    if body.len() < n {
        return Err(DataError::format(
            path,
            format!(
                "truncated: dimensions {dims:?} need {n} bytes of data, found {}",
                body.len()
            ),
        ));
    }
    if body.len() > n {
        return Err(DataError::format(
            path,
            format!("{} trailing bytes after {n} elements", body.len() - n),
        ));
    }
    Ok(IdxArray {
        dims,
        data: body.to_vec(),
    })
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
