//! NumPy `.npy` and `.npz` files: reading (any of f32, f64, u8, i8, i16, i32, i64, u16, u32, u64,
//! bool, converted to f32 or f64 on request) and writing (same types). Models and results are saved
//! as `.npz` through [`NpzWriter`] / [`write_npz`] so that `numpy.load(path)` opens them in one line.
//!
//! Files are written atomically (temporary name + rename): an interrupted write never leaves a
//! half-written file under the final name. Every error names the file and, inside an `.npz`, the
//! array.

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use ndarray::{Array, Array1, Array2, ArrayBase, ArrayD, Data, Dimension, Ix1, Ix2, IxDyn};
use ndarray_npy::npy::header::Header;
use ndarray_npy::{ReadNpyError, ReadNpyExt, WritableElement, WriteNpyExt};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

const NPY_MAGIC: &[u8] = b"\x93NUMPY";

mod sealed {
    pub trait Sealed {}
}

/// An element type that `.npy`/`.npz` I/O supports. Implemented for f32, f64, u8, i8, i16, i32,
/// i64, u16, u32, u64 and bool (sealed).
pub trait NpyElement:
    ndarray_npy::ReadableElement + WritableElement + Copy + sealed::Sealed + 'static
{
    /// NumPy's name of the dtype, e.g. `"float32"`.
    const DTYPE: &'static str;
    /// Wraps an array of this type into [`NpyArray`].
    fn wrap(a: ArrayD<Self>) -> NpyArray;
}

macro_rules! elements {
    ($($variant:ident => $t:ty, $name:literal, [$($code:literal),+];)+) => {
        /// An n-dimensional array read from a `.npy` file or an `.npz` member, in its stored dtype.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum NpyArray {
            $(
                #[doc = concat!("dtype ", $name, ".")]
                $variant(ArrayD<$t>),
            )+
        }

        $(
            impl sealed::Sealed for $t {}
            impl NpyElement for $t {
                const DTYPE: &'static str = $name;
                fn wrap(a: ArrayD<Self>) -> NpyArray {
                    NpyArray::$variant(a)
                }
            }
        )+

        impl NpyArray {
            /// NumPy's name of the stored dtype, e.g. `"uint8"`.
            pub fn dtype(&self) -> &'static str {
                match self {
                    $(NpyArray::$variant(_) => $name,)+
                }
            }

            /// The shape.
            pub fn shape(&self) -> &[usize] {
                match self {
                    $(NpyArray::$variant(a) => a.shape(),)+
                }
            }

            /// The elements converted to f64 (bool: false 0, true 1; 64-bit integers beyond 2^53
            /// are rounded).
            pub fn to_f64(&self) -> ArrayD<f64> {
                match self {
                    $(NpyArray::$variant(a) => a.mapv(conv_f64),)+
                }
            }

            /// The elements converted to f32 (rounded to the nearest f32).
            pub fn to_f32(&self) -> ArrayD<f32> {
                match self {
                    $(NpyArray::$variant(a) => a.mapv(|x| conv_f64(x) as f32),)+
                }
            }

            fn to_npy_bytes(&self) -> std::result::Result<Vec<u8>, ndarray_npy::WriteNpyError> {
                let mut buf = Vec::new();
                match self {
                    $(NpyArray::$variant(a) => a.write_npy(&mut buf)?,)+
                }
                Ok(buf)
            }

            fn add_to(
                &self,
                w: &mut ndarray_npy::NpzWriter<Cursor<Vec<u8>>>,
                name: &str,
            ) -> std::result::Result<(), ndarray_npy::WriteNpzError> {
                match self {
                    $(NpyArray::$variant(a) => w.add_array(name, a),)+
                }
            }
        }

        /// Reads `bytes` (a whole `.npy` file) as the dtype its header names.
        fn read_any(bytes: &[u8], descr: &str) -> Option<std::result::Result<NpyArray, ReadNpyError>> {
            let code = descr.trim_start_matches(['<', '>', '|', '=']);
            $(
                if [$($code),+].contains(&code) {
                    return Some(ArrayD::<$t>::read_npy(bytes).map(NpyArray::$variant));
                }
            )+
            None
        }

        const SUPPORTED: &str = concat!($($name, " "),+);
    };
}

elements! {
    F32 => f32, "float32", ["f4"];
    F64 => f64, "float64", ["f8"];
    U8 => u8, "uint8", ["u1"];
    I8 => i8, "int8", ["i1"];
    Bool => bool, "bool", ["b1"];
    I16 => i16, "int16", ["i2"];
    I32 => i32, "int32", ["i4"];
    I64 => i64, "int64", ["i8"];
    U16 => u16, "uint16", ["u2"];
    U32 => u32, "uint32", ["u4"];
    U64 => u64, "uint64", ["u8"];
}

/// Lossless-where-possible conversion of every supported element to f64.
trait ToF64: Copy {
    fn to_f64(self) -> f64;
}
macro_rules! to_f64_as {
    ($($t:ty),+) => { $(impl ToF64 for $t { fn to_f64(self) -> f64 { self as f64 } })+ };
}
to_f64_as!(f32, f64, u8, i8, i16, i32, i64, u16, u32, u64);
impl ToF64 for bool {
    fn to_f64(self) -> f64 {
        if self { 1.0 } else { 0.0 }
    }
}
fn conv_f64<T: ToF64>(x: T) -> f64 {
    x.to_f64()
}

impl<T: NpyElement, D: Dimension> From<Array<T, D>> for NpyArray {
    fn from(a: Array<T, D>) -> Self {
        T::wrap(a.into_dyn())
    }
}

impl NpyArray {
    /// The elements as f32, moving the array when it already is f32.
    pub fn into_f32(self) -> ArrayD<f32> {
        match self {
            NpyArray::F32(a) => a,
            other => other.to_f32(),
        }
    }

    /// The elements as f64, moving the array when it already is f64.
    pub fn into_f64(self) -> ArrayD<f64> {
        match self {
            NpyArray::F64(a) => a,
            other => other.to_f64(),
        }
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// As a 2-D f64 matrix; a 1-D array becomes one column `(n, 1)`. `what` names the source in
    /// the error (a file, or `file[name]`) when the array has another number of dimensions.
    pub fn to_f64_2d(&self, what: &Path) -> Result<Array2<f64>> {
        to_2d(self.to_f64(), what)
    }

    /// As a 2-D f32 matrix; a 1-D array becomes one column `(n, 1)`.
    pub fn to_f32_2d(&self, what: &Path) -> Result<Array2<f32>> {
        to_2d(self.to_f32(), what)
    }

    /// As a 1-D f64 vector; errors unless the array has exactly one dimension.
    pub fn to_f64_1d(&self, what: &Path) -> Result<Array1<f64>> {
        let shape = self.shape().to_vec();
        self.to_f64()
            .into_dimensionality::<Ix1>()
            .map_err(|_| wrong_ndim(what, "1", &shape))
    }
}

fn wrong_ndim(what: &Path, expected: &str, shape: &[usize]) -> DataError {
    DataError::format(
        what,
        format!(
            "wrong number of dimensions: expected {expected}, found {} (shape {shape:?})",
            shape.len()
        ),
    )
}

fn to_2d<T: Clone>(a: ArrayD<T>, what: &Path) -> Result<Array2<T>> {
    let shape = a.shape().to_vec();
    match shape.len() {
        1 => Ok(a
            .into_shape_with_order((shape[0], 1))
            .map_err(|e| DataError::Shape(e.to_string()))?),
        2 => {
            let a = a
                .into_dimensionality::<Ix2>()
                .map_err(|e| DataError::Shape(e.to_string()))?;
            // Fortran-order files come back column-major; datasets need row-major.
            Ok(if a.is_standard_layout() {
                a
            } else {
                a.as_standard_layout().into_owned()
            })
        }
        _ => Err(wrong_ndim(what, "1 or 2", &shape)),
    }
}

fn npy_error(path: &Path, e: ReadNpyError, shape: Option<&[usize]>, dtype: &str) -> DataError {
    let reason = match e {
        ReadNpyError::MissingData => format!(
            "truncated: the header declares {dtype} data of shape {:?} but the file ends early",
            shape.unwrap_or(&[])
        ),
        ReadNpyError::ExtraBytes(n) => format!("corrupt: {n} extra bytes after the array data"),
        ReadNpyError::ParseHeader(h) => format!("corrupt .npy header: {h}"),
        ReadNpyError::WrongDescriptor(d) => {
            format!(
                "unsupported dtype {d} (supported: {})",
                SUPPORTED.trim_end()
            )
        }
        ReadNpyError::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "truncated .npy file".to_string()
        }
        other => format!("cannot read .npy data: {other}"),
    };
    DataError::format(path, reason)
}

/// Parses a whole `.npy` file held in memory; `path` only names the source in errors.
pub fn parse_npy(bytes: &[u8], path: &Path) -> Result<NpyArray> {
    read_npy_stream(&mut &bytes[..], path, Some(bytes.len() as u64))
}

/// A `.npy` payload: numbers, or a NumPy unicode string array (dtype `<U{n}`).
enum Member {
    Numbers(NpyArray),
    Text(ArrayD<String>),
}

/// The byte offset of the data after the header of a `.npy` file (format versions 1 to 3).
#[cfg(test)]
fn npy_data_offset(bytes: &[u8]) -> Option<usize> {
    let version = *bytes.get(6)?;
    if version == 1 {
        let len = u16::from_le_bytes([*bytes.get(8)?, *bytes.get(9)?]) as usize;
        Some(10 + len)
    } else {
        let b = bytes.get(8..12)?;
        Some(12 + u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
}

/// Decodes NumPy's fixed-width UTF-32 strings (`width` code points each, NUL-padded).
fn decode_utf32(
    data: &[u8],
    width: usize,
    count: usize,
    big_endian: bool,
) -> std::result::Result<Vec<String>, String> {
    if data.len() < width * 4 * count {
        return Err(format!(
            "truncated: {count} strings of {width} characters need {} bytes, found {}",
            width * 4 * count,
            data.len()
        ));
    }
    (0..count)
        .map(|i| {
            let mut s = String::with_capacity(width);
            for k in 0..width {
                let o = (i * width + k) * 4;
                let b = [data[o], data[o + 1], data[o + 2], data[o + 3]];
                let c = if big_endian {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                };
                if c == 0 {
                    break;
                }
                s.push(char::from_u32(c).ok_or_else(|| format!("invalid code point {c:#x}"))?);
            }
            Ok(s)
        })
        .collect()
}

/// Bytes of one element of a NumPy type code such as `f4` (after the byte-order character).
fn item_size(code: &str) -> Option<usize> {
    Some(match code {
        "u1" | "i1" | "b1" => 1,
        "u2" | "i2" => 2,
        "f4" | "u4" | "i4" => 4,
        "f8" | "u8" | "i8" => 8,
        _ => return None,
    })
}

/// The largest `.npy` header accepted (NumPy writes a few hundred bytes).
const MAX_HEADER: usize = 1 << 20;

fn read_or_truncated(r: &mut impl Read, buf: &mut [u8], path: &Path, what: &str) -> Result<()> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => DataError::format(path, format!("truncated {what}")),
        _ => DataError::format(path, format!("cannot read {what}: {e}")),
    })
}

/// Reads one `.npy` array from a stream: the header first, then exactly the bytes it declares,
/// refused before anything is allocated when they exceed the memory limit
/// ([`spinlearn_core::mem`]) or `available` (the bytes the source holds, when known). Float
/// arrays holding NaN or infinities are refused, naming `path` and the element's index.
pub fn read_npy_stream(r: &mut impl Read, path: &Path, available: Option<u64>) -> Result<NpyArray> {
    match read_member_stream(r, path, available)? {
        Member::Numbers(a) => Ok(a),
        Member::Text(_) => Err(DataError::format(
            path,
            "holds strings (dtype <U), not numbers",
        )),
    }
}

/// [`read_npy_stream`] that also accepts NumPy unicode string arrays (dtype `<U{n}`).
fn read_member_stream(r: &mut impl Read, path: &Path, available: Option<u64>) -> Result<Member> {
    let mut pre = vec![0u8; 8];
    read_or_truncated(r, &mut pre, path, ".npy header")?;
    if !pre.starts_with(NPY_MAGIC) {
        let shown = &pre[..6];
        return Err(DataError::format(
            path,
            format!("not a .npy file (wrong magic {shown:02x?}, expected \\x93NUMPY)"),
        ));
    }
    let header_len = match pre[6] {
        1 => {
            let mut b = [0u8; 2];
            read_or_truncated(r, &mut b, path, ".npy header")?;
            pre.extend_from_slice(&b);
            u16::from_le_bytes(b) as usize
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            read_or_truncated(r, &mut b, path, ".npy header")?;
            pre.extend_from_slice(&b);
            u32::from_le_bytes(b) as usize
        }
        v => {
            return Err(DataError::format(
                path,
                format!("corrupt .npy header: unsupported format version {v}"),
            ));
        }
    };
    if header_len > MAX_HEADER {
        return Err(DataError::format(
            path,
            format!("corrupt .npy header: declares a header of {header_len} bytes"),
        ));
    }
    let start = pre.len();
    pre.resize(start + header_len, 0);
    read_or_truncated(r, &mut pre[start..], path, ".npy header")?;
    let header = Header::from_reader(&mut &pre[..]).map_err(|e| match e {
        ndarray_npy::npy::header::ReadHeaderError::Io(io)
            if io.kind() == std::io::ErrorKind::UnexpectedEof =>
        {
            DataError::format(path, "truncated .npy header")
        }
        other => DataError::format(path, format!("corrupt .npy header: {other}")),
    })?;
    let descr = match header.type_descriptor.as_string() {
        Some(s) => s.clone(),
        None => {
            return Err(DataError::format(
                path,
                format!(
                    "unsupported dtype {} (structured arrays are not supported)",
                    header.type_descriptor
                ),
            ));
        }
    };
    let code = descr.trim_start_matches(['<', '>', '|', '=']);
    // NumPy unicode strings: `U{n}`, n UTF-32 code points per element.
    let text_width = match code.strip_prefix('U') {
        Some(w) => Some(
            w.parse::<usize>()
                .ok()
                .filter(|w| *w > 0)
                .ok_or_else(|| DataError::format(path, format!("unsupported dtype '{descr}'")))?,
        ),
        None => None,
    };
    if text_width.is_some() && header.layout.is_fortran() && header.shape.len() > 1 {
        return Err(DataError::format(
            path,
            "Fortran-order string arrays are not supported",
        ));
    }
    let Some(item) = text_width
        .and_then(|w| w.checked_mul(4))
        .or_else(|| item_size(code))
    else {
        return Err(DataError::format(
            path,
            format!(
                "unsupported dtype '{descr}' (supported: {})",
                SUPPORTED.trim_end()
            ),
        ));
    };
    let shape = &header.shape;
    let need = spinlearn_core::mem::admit(spinlearn_core::mem::array_bytes(shape, item)).map_err(
        |why| DataError::format(path, format!("the header declares shape {shape:?}: {why}")),
    )?;
    let have = available.map(|a| a.saturating_sub(pre.len() as u64));
    if let Some(have) = have
        && have < need
    {
        return Err(DataError::format(
            path,
            format!(
                "truncated: the header declares {descr} data of shape {shape:?} ({need} bytes) \
                 but the file holds {have}"
            ),
        ));
    }
    let data_start = pre.len();
    let mut bytes = pre;
    let got = r
        .take(need.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| DataError::format(path, format!("cannot read .npy data: {e}")))?
        as u64;
    if got < need {
        return Err(DataError::format(
            path,
            format!(
                "truncated: the header declares {descr} data of shape {shape:?} ({need} bytes) \
                 but the file holds {got}"
            ),
        ));
    }
    if got > need || have.is_some_and(|h| h > need) {
        return Err(DataError::format(
            path,
            "corrupt: extra bytes after the array data",
        ));
    }
    if let Some(width) = text_width {
        let count: usize = shape.iter().product();
        let strings = decode_utf32(&bytes[data_start..], width, count, descr.starts_with('>'))
            .map_err(|e| DataError::format(path, e))?;
        let t = ArrayD::from_shape_vec(IxDyn(shape), strings)
            .map_err(|e| DataError::Shape(e.to_string()))?;
        return Ok(Member::Text(t));
    }
    let a = match read_any(&bytes, &descr) {
        Some(r) => r.map_err(|e| npy_error(path, e, Some(shape), &descr))?,
        None => {
            return Err(DataError::format(
                path,
                format!(
                    "unsupported dtype '{descr}' (supported: {})",
                    SUPPORTED.trim_end()
                ),
            ));
        }
    };
    check_finite(&a, path)?;
    Ok(Member::Numbers(a))
}

/// Refuses a float array holding NaN or an infinity, naming `path` and the first such element.
pub fn check_finite(a: &NpyArray, path: &Path) -> Result<()> {
    fn first_bad<T: Copy + Into<f64>>(a: &ArrayD<T>) -> Option<(Vec<usize>, f64)> {
        a.indexed_iter()
            .find(|(_, x)| !(**x).into().is_finite())
            .map(|(i, x)| (i.slice().to_vec(), (*x).into()))
    }
    let bad = match a {
        NpyArray::F32(x) => first_bad(x),
        NpyArray::F64(x) => first_bad(x),
        _ => None,
    };
    match bad {
        Some((index, x)) => Err(DataError::format(
            path,
            format!("non-finite value {x} at index {index:?}"),
        )),
        None => Ok(()),
    }
}

/// Reads a `.npy` file in its stored dtype.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let len = file.metadata().map_err(|e| DataError::io(path, e))?.len();
    read_npy_stream(&mut std::io::BufReader::new(file), path, Some(len))
}

/// Reads a `.npy` file of any supported dtype as an f32 matrix `(rows, cols)`; a 1-D array becomes
/// one column `(n, 1)`. Other numbers of dimensions are an error naming the file.
pub fn read_npy_f32(path: &Path) -> Result<Array2<f32>> {
    to_2d(read_npy(path)?.into_f32(), path)
}

/// Reads a `.npy` file of any supported dtype as an f64 matrix; a 1-D array becomes one column.
pub fn read_npy_f64(path: &Path) -> Result<Array2<f64>> {
    to_2d(read_npy(path)?.into_f64(), path)
}

/// Reads a `.npy` file as a [`Dataset`] named after the file stem: a 2-D array is
/// `(n_samples, n_features)`, a 1-D array one feature per sample, a 3-D array `(n, h, w)` images
/// flattened row-major with `image_shape = (h, w)`.
pub fn read_npy_dataset(path: &Path) -> Result<Dataset> {
    let a = read_npy(path)?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "npy".into());
    let shape = a.shape().to_vec();
    let (data, image_shape) = if shape.len() == 3 {
        let flat = a
            .to_f32()
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((shape[0], shape[1] * shape[2]))
            .map_err(|e| DataError::Shape(e.to_string()))?;
        (flat, Some((shape[1], shape[2])))
    } else if shape.len() <= 2 && !shape.is_empty() {
        (a.to_f32_2d(path)?, None)
    } else {
        return Err(wrong_ndim(path, "1, 2 or 3", &shape));
    };
    Ok(Dataset {
        name,
        data,
        labels: None,
        image_shape,
    })
}

/// Encodes an array as `.npy` bytes.
pub fn encode_npy<T, S, D>(array: &ArrayBase<S, D>) -> Result<Vec<u8>>
where
    T: NpyElement,
    S: Data<Elem = T>,
    D: Dimension,
{
    let mut buf = Vec::new();
    array
        .write_npy(&mut buf)
        .map_err(|e| DataError::Shape(format!("cannot encode .npy: {e}")))?;
    Ok(buf)
}

/// Encodes `text` as a `.npy` file holding a 0-d NumPy unicode string (dtype `<U{n}`, n the
/// number of characters, at least 1): `str(numpy.load(f, allow_pickle=False))` gives it back.
pub fn encode_text_npy(text: &str) -> Vec<u8> {
    let width = text.chars().count().max(1);
    let dict = format!("{{'descr': '<U{width}', 'fortran_order': False, 'shape': (), }}");
    // Format 1.0: magic, version, u16 header length; header padded with spaces so that the data
    // starts at a multiple of 64 bytes, ending in a newline.
    let unpadded = 10 + dict.len() + 1;
    let total = unpadded.div_ceil(64) * 64;
    let mut out = Vec::with_capacity(total + 4 * width);
    out.extend_from_slice(NPY_MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&((total - 10) as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    let mut n = 0;
    for c in text.chars() {
        out.extend_from_slice(&(c as u32).to_le_bytes());
        n += 1;
    }
    for _ in n..width {
        out.extend_from_slice(&0u32.to_le_bytes());
    }
    out
}

/// A string written as a 0-d `.npy` unicode array (see [`encode_text_npy`]).
struct TextNpy<'a>(&'a str);

impl ndarray_npy::WriteNpyExt for TextNpy<'_> {
    fn write_npy<W: std::io::Write>(
        &self,
        mut writer: W,
    ) -> std::result::Result<(), ndarray_npy::WriteNpyError> {
        writer
            .write_all(&encode_text_npy(self.0))
            .map_err(ndarray_npy::WriteNpyError::Io)?;
        writer.flush().map_err(ndarray_npy::WriteNpyError::Io)
    }
}

/// Parses a `.npy` file holding a NumPy unicode string array (dtype `<U{n}`, any shape); `None`
/// when it holds numbers.
pub fn parse_text_npy(bytes: &[u8], path: &Path) -> Result<Option<ArrayD<String>>> {
    Ok(
        match read_member_stream(&mut &bytes[..], path, Some(bytes.len() as u64))? {
            Member::Text(t) => Some(t),
            Member::Numbers(_) => None,
        },
    )
}

/// Writes an array (any supported dtype, any number of dimensions) to a `.npy` file atomically.
pub fn write_npy<T, S, D>(path: &Path, array: &ArrayBase<S, D>) -> Result<()>
where
    T: NpyElement,
    S: Data<Elem = T>,
    D: Dimension,
{
    let bytes = encode_npy(array)?;
    write_file(path, &bytes)
}

/// Writes an [`NpyArray`] to a `.npy` file atomically, in its own dtype.
pub fn write_npy_array(path: &Path, array: &NpyArray) -> Result<()> {
    let bytes = array
        .to_npy_bytes()
        .map_err(|e| DataError::format(path, format!("cannot encode .npy: {e}")))?;
    write_file(path, &bytes)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    spinlearn_core::record::write_atomic(path, bytes).map_err(DataError::from)
}

/// The arrays of an `.npz` file, in archive order.
#[derive(Debug, Clone, PartialEq)]
pub struct Npz {
    /// The file it was read from (named in errors).
    pub path: PathBuf,
    /// `(name, array)` pairs; names without the `.npy` suffix, as `numpy.load` shows them.
    pub arrays: Vec<(String, NpyArray)>,
    /// The string arrays (NumPy dtype `<U{n}`), `(name, strings)`, in archive order.
    pub texts: Vec<(String, ArrayD<String>)>,
}

impl Npz {
    /// The array names (numeric arrays, then string arrays).
    pub fn names(&self) -> Vec<&str> {
        self.arrays
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(self.texts.iter().map(|(n, _)| n.as_str()))
            .collect()
    }

    /// The string array `name` as one string: a 0-d unicode array (or one of one element).
    pub fn text(&self, name: &str) -> Result<String> {
        let Some((_, t)) = self.texts.iter().find(|(n, _)| n == name) else {
            return Err(DataError::format(
                &self.path,
                format!(
                    "no string array named '{name}' (arrays: {})",
                    self.names().join(", ")
                ),
            ));
        };
        match t.iter().next() {
            Some(s) if t.len() == 1 => Ok(s.clone()),
            _ => Err(DataError::format(
                self.member(name),
                format!("expected one string, found shape {:?}", t.shape()),
            )),
        }
    }

    /// The array named `name`; the error names the file and lists the names present.
    pub fn get(&self, name: &str) -> Result<&NpyArray> {
        self.arrays
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a)
            .ok_or_else(|| {
                let reason = if self.texts.iter().any(|(n, _)| n == name) {
                    format!("array '{name}' holds strings, not numbers")
                } else {
                    format!(
                        "no array named '{name}' (arrays: {})",
                        self.names().join(", ")
                    )
                };
                DataError::format(&self.path, reason)
            })
    }

    fn member(&self, name: &str) -> PathBuf {
        PathBuf::from(format!("{}[{name}]", self.path.display()))
    }

    /// Array `name` as a 2-D f64 matrix (a 1-D array becomes a column).
    pub fn f64_2d(&self, name: &str) -> Result<Array2<f64>> {
        self.get(name)?.to_f64_2d(&self.member(name))
    }

    /// Array `name` as a 2-D f32 matrix (a 1-D array becomes a column).
    pub fn f32_2d(&self, name: &str) -> Result<Array2<f32>> {
        self.get(name)?.to_f32_2d(&self.member(name))
    }

    /// Array `name` as a 1-D f64 vector.
    pub fn f64_1d(&self, name: &str) -> Result<Array1<f64>> {
        self.get(name)?.to_f64_1d(&self.member(name))
    }

    /// Array `name` as one f64 number (a 0-D array or an array of one element).
    pub fn scalar_f64(&self, name: &str) -> Result<f64> {
        let a = self.get(name)?.to_f64();
        if a.len() == 1 {
            Ok(a.iter().next().copied().unwrap_or(f64::NAN))
        } else {
            Err(DataError::format(
                self.member(name),
                format!("expected one number, found shape {:?}", a.shape()),
            ))
        }
    }
}

/// Reads a whole file after checking its length against the memory limit.
pub(crate) fn read_file_within_limit(path: &Path) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .map_err(|e| DataError::io(path, e))?
        .len();
    spinlearn_core::mem::admit(Some(len))
        .map_err(|why| DataError::format(path, format!("the file {why}")))?;
    std::fs::read(path).map_err(|e| DataError::io(path, e))
}

/// Reads every array of an `.npz` file (compressed or not) in its stored dtype.
pub fn read_npz(path: &Path) -> Result<Npz> {
    let bytes = read_file_within_limit(path)?;
    parse_npz(&bytes, path)
}

/// Parses a whole `.npz` file held in memory; `path` only names the source in errors. Members are
/// inflated as streams: each member's `.npy` header is read first and its declared size checked
/// against the memory limit before its data is read, so a small archive that claims or inflates to
/// a huge array is refused, not allocated.
pub fn parse_npz(bytes: &[u8], path: &Path) -> Result<Npz> {
    if !bytes.starts_with(b"PK") {
        return Err(DataError::format(
            path,
            "not an .npz file (no zip signature at the start)",
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| DataError::format(path, format!("corrupt .npz archive: {e}")))?;
    let mut arrays: Vec<(String, NpyArray)> = Vec::with_capacity(zip.len().min(1024));
    let mut texts: Vec<(String, ArrayD<String>)> = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip
            .by_index(i)
            .map_err(|e| DataError::format(path, format!("corrupt .npz archive: {e}")))?;
        let raw_name = file.name().to_string();
        let name = raw_name
            .strip_suffix(".npy")
            .unwrap_or(&raw_name)
            .to_string();
        let member = PathBuf::from(format!("{}[{name}]", path.display()));
        if file.is_dir() {
            continue;
        }
        if arrays.iter().any(|(n, _)| *n == name) || texts.iter().any(|(n, _)| *n == name) {
            return Err(DataError::format(
                path,
                format!("corrupt .npz archive: array '{name}' appears twice"),
            ));
        }
        let m = read_member_stream(&mut file, &member, None).map_err(|e| match e {
            DataError::Format { path, reason } if reason.starts_with("cannot read .npy data") => {
                DataError::format(path, format!("corrupt .npz member: {reason}"))
            }
            other => other,
        })?;
        match m {
            Member::Numbers(a) => arrays.push((name, a)),
            Member::Text(t) => texts.push((name, t)),
        }
    }
    Ok(Npz {
        path: path.to_path_buf(),
        arrays,
        texts,
    })
}

/// Builds an `.npz` file array by array and writes it atomically on [`NpzWriter::finish`].
///
/// ```no_run
/// # use spinlearn_data::npy::NpzWriter;
/// let w = ndarray::Array2::<f64>::zeros((3, 2));
/// let mut npz = NpzWriter::new("model.npz".as_ref(), true);
/// npz.add("weights", &w)?;
/// npz.add("n_visible", &ndarray::arr0(3u64))?;
/// npz.finish()?;
/// # Ok::<_, spinlearn_data::DataError>(())
/// ```
pub struct NpzWriter {
    path: PathBuf,
    inner: ndarray_npy::NpzWriter<Cursor<Vec<u8>>>,
    names: Vec<String>,
}

impl std::fmt::Debug for NpzWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NpzWriter")
            .field("path", &self.path)
            .field("names", &self.names)
            .finish()
    }
}

impl NpzWriter {
    /// A writer for `path`; `compressed` selects deflate (`numpy.savez_compressed`) over stored
    /// members (`numpy.savez`). Nothing is written until [`finish`](Self::finish).
    pub fn new(path: &Path, compressed: bool) -> Self {
        let cursor = Cursor::new(Vec::new());
        let inner = if compressed {
            ndarray_npy::NpzWriter::new_compressed(cursor)
        } else {
            ndarray_npy::NpzWriter::new(cursor)
        };
        NpzWriter {
            path: path.to_path_buf(),
            inner,
            names: Vec::new(),
        }
    }

    fn check_name(&mut self, name: &str) -> Result<()> {
        if name.is_empty() || name.contains(['/', '\\']) {
            return Err(DataError::invalid(
                "npz array name",
                format!("'{name}' must be non-empty and contain no path separator"),
            ));
        }
        if self.names.iter().any(|n| n == name) {
            return Err(DataError::invalid(
                "npz array name",
                format!("'{name}' is used twice in {}", self.path.display()),
            ));
        }
        self.names.push(name.to_string());
        Ok(())
    }

    /// Adds an array (any supported dtype and number of dimensions; a scalar is a 0-D array,
    /// e.g. `ndarray::arr0(1.5)`).
    pub fn add<T, S, D>(&mut self, name: &str, array: &ArrayBase<S, D>) -> Result<()>
    where
        T: NpyElement,
        S: Data<Elem = T>,
        D: Dimension,
    {
        self.check_name(name)?;
        self.inner
            .add_array(name, array)
            .map_err(|e| DataError::format(&self.path, format!("cannot add '{name}': {e}")))
    }

    /// Adds an [`NpyArray`] in its own dtype.
    pub fn add_array(&mut self, name: &str, array: &NpyArray) -> Result<()> {
        self.check_name(name)?;
        array
            .add_to(&mut self.inner, name)
            .map_err(|e| DataError::format(&self.path, format!("cannot add '{name}': {e}")))
    }

    /// Adds `text` as a 0-d NumPy unicode string (dtype `<U{n}`), which
    /// `str(numpy.load(path)[name])` reads without pickle.
    pub fn add_text(&mut self, name: &str, text: &str) -> Result<()> {
        self.check_name(name)?;
        self.inner
            .add_array(name, &TextNpy(text))
            .map_err(|e| DataError::format(&self.path, format!("cannot add '{name}': {e}")))
    }

    /// Adds a scalar f64 as a 0-D array.
    pub fn add_scalar(&mut self, name: &str, value: f64) -> Result<()> {
        self.add(name, &ndarray::arr0(value))
    }

    /// Writes the archive to its path atomically.
    pub fn finish(self) -> Result<()> {
        let cursor = self
            .inner
            .finish()
            .map_err(|e| DataError::format(&self.path, format!("cannot finish .npz: {e}")))?;
        write_file(&self.path, &cursor.into_inner())
    }
}

/// Writes named arrays to an `.npz` file (compressed) atomically.
pub fn write_npz(path: &Path, arrays: &[(&str, NpyArray)]) -> Result<()> {
    let mut w = NpzWriter::new(path, true);
    for (name, a) in arrays {
        w.add_array(name, a)?;
    }
    w.finish()
}

/// Writes a dataset to an `.npz` file (compressed): `data` float32 `(n_samples, n_features)`,
/// `labels` uint8 `(n_samples,)` when present, `image_shape` uint64 `[h, w]` when present, so that
/// `np.load(path)["data"]` gives the matrix.
pub fn write_dataset_npz(path: &Path, ds: &Dataset) -> Result<()> {
    let mut w = NpzWriter::new(path, true);
    w.add("data", &ds.data)?;
    if let Some(l) = &ds.labels {
        w.add("labels", &Array1::from(l.clone()))?;
    }
    if let Some((h, wd)) = ds.image_shape {
        w.add("image_shape", &Array1::from(vec![h as u64, wd as u64]))?;
    }
    w.finish()
}

/// Reads a dataset written by [`write_dataset_npz`] (or any `.npz` with a 1-D or 2-D `data` array
/// and optional `labels` and `image_shape`), named after the file stem.
pub fn read_dataset_npz(path: &Path) -> Result<Dataset> {
    dataset_from_npz(read_npz(path)?)
}

/// [`read_dataset_npz`] on the bytes of a file; `path` only names it in errors.
pub fn dataset_from_npz_bytes(bytes: &[u8], path: &Path) -> Result<Dataset> {
    dataset_from_npz(parse_npz(bytes, path)?)
}

fn dataset_from_npz(npz: Npz) -> Result<Dataset> {
    let path = npz.path.clone();
    let path = path.as_path();
    let data = npz.f32_2d("data")?;
    let n = data.nrows();
    let labels = match npz.get("labels") {
        Ok(_) => {
            let l = npz.f64_1d("labels")?;
            if l.len() != n {
                return Err(DataError::format(
                    path,
                    format!("{} labels for {n} samples", l.len()),
                ));
            }
            let mut out = Vec::with_capacity(n);
            for &x in &l {
                if !(0.0..=255.0).contains(&x) || x.fract() != 0.0 {
                    return Err(DataError::format(
                        path,
                        format!("label {x} is not an integer in 0..=255"),
                    ));
                }
                out.push(x as u8);
            }
            Some(out)
        }
        Err(_) => None,
    };
    let image_shape = match npz.get("image_shape") {
        Ok(_) => {
            let s = npz.f64_1d("image_shape")?;
            let (h, w) = match s.as_slice() {
                Some(&[h, w]) if h >= 1.0 && w >= 1.0 => (h as usize, w as usize),
                _ => {
                    return Err(DataError::format(
                        path,
                        format!("image_shape must be two positive sizes, got {s}"),
                    ));
                }
            };
            if h * w != data.ncols() {
                return Err(DataError::format(
                    path,
                    format!(
                        "image_shape {h}x{w} does not match {} features",
                        data.ncols()
                    ),
                ));
            }
            Some((h, w))
        }
        Err(_) => None,
    };
    Ok(Dataset {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "npz".into()),
        data,
        labels,
        image_shape,
    })
}

/// Writes a dataset as `.npy` files in `dir`: `{stem}.npy` (float32 `(n_samples, n_features)`)
/// and, when it has labels, `{stem}_labels.npy` (uint8). Returns the paths written.
pub fn write_dataset_npy(dir: &Path, stem: &str, ds: &Dataset) -> Result<Vec<PathBuf>> {
    let data_path = dir.join(format!("{stem}.npy"));
    write_npy(&data_path, &ds.data)?;
    let mut out = vec![data_path];
    if let Some(l) = &ds.labels {
        let p = dir.join(format!("{stem}_labels.npy"));
        write_npy(&p, &Array1::from(l.clone()))?;
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr0, array};

    #[test]
    fn round_trip_each_dtype_in_memory() {
        let p = Path::new("mem.npy");
        let f = array![[1.5f32, -2.0], [0.25, 3.0]];
        let back = parse_npy(&encode_npy(&f).unwrap(), p).unwrap();
        assert_eq!(back.dtype(), "float32");
        assert_eq!(back, NpyArray::from(f.clone()));
        let b = array![true, false, true];
        let back = parse_npy(&encode_npy(&b).unwrap(), p).unwrap();
        assert_eq!(back.dtype(), "bool");
        assert_eq!(back.to_f64().as_slice().unwrap(), &[1.0, 0.0, 1.0]);
        let i = array![[-128i8, 0, 127]];
        let back = parse_npy(&encode_npy(&i).unwrap(), p).unwrap();
        assert_eq!(back.to_f32_2d(p).unwrap(), array![[-128.0f32, 0.0, 127.0]]);
        let s = arr0(7u64);
        let back = parse_npy(&encode_npy(&s).unwrap(), p).unwrap();
        assert_eq!(back.shape(), &[] as &[usize]);
        assert!(
            back.to_f64_2d(p)
                .unwrap_err()
                .to_string()
                .contains("dimensions")
        );
    }

    #[test]
    fn bad_magic_and_truncation_name_the_file() {
        let p = Path::new("x.npy");
        let e = parse_npy(b"PK\x03\x04rest", p).unwrap_err().to_string();
        assert!(e.starts_with("x.npy: not a .npy file"), "{e}");
        let bytes = encode_npy(&array![1.0f64, 2.0, 3.0]).unwrap();
        let e = parse_npy(&bytes[..bytes.len() - 3], p)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.npy: truncated"), "{e}");
        let e = parse_npy(&bytes[..12], p).unwrap_err().to_string();
        assert!(e.starts_with("x.npy: truncated .npy header"), "{e}");
    }

    #[test]
    fn text_members_round_trip_and_stay_apart_from_numbers() {
        let dir = std::env::temp_dir().join(format!("spinlearn-npz-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.npz");
        let mut w = NpzWriter::new(&path, true);
        w.add("x", &array![1.0f64, 2.0]).unwrap();
        w.add_text("meta", "{\"a\": \"±1 ü\"}").unwrap();
        w.add_text("empty", "").unwrap();
        w.finish().unwrap();
        let npz = read_npz(&path).unwrap();
        assert_eq!(npz.names(), vec!["x", "meta", "empty"]);
        assert_eq!(npz.text("meta").unwrap(), "{\"a\": \"±1 ü\"}");
        assert_eq!(npz.text("empty").unwrap(), "");
        assert_eq!(npz.f64_1d("x").unwrap(), array![1.0, 2.0]);
        assert!(npz.get("meta").unwrap_err().to_string().contains("strings"));
        assert!(npz.text("x").is_err());
        // the header is NumPy's format 1.0: the data starts at a multiple of 64 bytes
        let bytes = encode_text_npy("abc");
        let off = npy_data_offset(&bytes).unwrap();
        assert_eq!(off % 64, 0);
        assert_eq!(bytes.len(), off + 12);
        assert!(parse_npy(&bytes, Path::new("t.npy")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
