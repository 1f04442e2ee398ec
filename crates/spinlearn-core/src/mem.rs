//! Memory a run may allocate: shapes turned into bytes with checked arithmetic, refused beyond a
//! limit before anything is allocated (a refusal is a one-line error; an allocation that fails
//! aborts the process).
//!
//! The limit is a property of the process, like the size of rayon's global pool: it starts at
//! [`DEFAULT_LIMIT`] and only the program that owns the process (the `spinlearn` binary, from
//! `--max-memory` or a config's `max_memory`) changes it, with [`set_limit`]. It never changes a
//! result, only whether a run is admitted.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// The limit until a program sets another: 16 GiB.
pub const DEFAULT_LIMIT: u64 = 16 << 30;

static LIMIT: AtomicU64 = AtomicU64::new(DEFAULT_LIMIT);

/// The current limit in bytes.
pub fn limit() -> u64 {
    LIMIT.load(Ordering::Relaxed)
}

/// Sets the limit in bytes (for the program owning the process; libraries never call it).
pub fn set_limit(bytes: u64) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// Bytes of an array of `dims` with elements of `elem_size` bytes, or `None` on overflow.
pub fn array_bytes(dims: &[usize], elem_size: usize) -> Option<u64> {
    dims.iter()
        .try_fold(elem_size as u64, |acc, &d| acc.checked_mul(d as u64))
}

/// Total bytes of several arrays `(dims, elem_size)`, or `None` on overflow.
pub fn total_bytes(arrays: &[(&[usize], usize)]) -> Option<u64> {
    arrays.iter().try_fold(0u64, |acc, (dims, elem)| {
        acc.checked_add(array_bytes(dims, *elem)?)
    })
}

/// Why `bytes` (or an overflowed size, `None`) cannot be allocated, or `Ok(bytes)` when it fits
/// the limit. The reason is a phrase for a message naming the parameter or file.
pub fn admit(bytes: Option<u64>) -> std::result::Result<u64, String> {
    let lim = limit();
    match bytes {
        None => Err(format!(
            "the sizes overflow 64-bit arithmetic (far above the memory limit {})",
            format_bytes(lim)
        )),
        Some(b) if b > lim => Err(format!(
            "needs {} of memory, above the limit {} (raise it with --max-memory or \
             `max_memory` in a config)",
            format_bytes(b),
            format_bytes(lim)
        )),
        Some(b) => Ok(b),
    }
}

/// Checks the arrays `(dims, elem_size)` that parameter `name` makes a run allocate, and returns
/// their total bytes; the error names the parameter.
pub fn check(name: &str, arrays: &[(&[usize], usize)]) -> Result<u64> {
    admit(total_bytes(arrays)).map_err(|reason| Error::invalid(name, reason))
}

/// Multiplies counts with checked arithmetic (`None` on overflow): an element count built from
/// several parameters, e.g. `n_chains * n_visible`.
pub fn product(factors: &[usize]) -> Option<usize> {
    factors
        .iter()
        .try_fold(1usize, |acc, &f| acc.checked_mul(f))
}

/// `bytes` in the largest binary unit that keeps it >= 1, e.g. `16 GiB`, `1.5 TiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut x = bytes as f64;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < UNITS.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 || x.fract() == 0.0 {
        format!("{x:.0} {}", UNITS[u])
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

/// Parses a size such as `16G`, `16GiB`, `512M`, `1.5T` or `1000000` (bytes); units are binary
/// (K = 1024). `None` when it is not a size or is zero.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let x: f64 = num.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    let bytes = x * (1u64 << shift) as f64;
    (bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked() {
        assert_eq!(array_bytes(&[2, 3], 8), Some(48));
        assert_eq!(array_bytes(&[], 4), Some(4));
        assert_eq!(array_bytes(&[usize::MAX, 2], 1), None);
        assert_eq!(total_bytes(&[(&[2], 8), (&[3], 4)]), Some(28));
        assert_eq!(product(&[usize::MAX, 2]), None);
        assert_eq!(product(&[3, 4]), Some(12));
        // The limit is process-wide: compare with whatever it is now.
        let lim = limit();
        assert!(check("n", &[(&[(lim / 8) as usize + 1], 8)]).is_err());
        let e = check("n_hidden", &[(&[usize::MAX, 3], 8)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("`n_hidden`") && e.contains("overflow"), "{e}");
        assert_eq!(check("n", &[(&[10], 8)]).unwrap(), 80);
    }

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("16G"), Some(16 << 30));
        assert_eq!(parse_size("16GiB"), Some(16 << 30));
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size("1.5K"), Some(1536));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("-1G"), None);
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(parse_size(""), None);
        assert_eq!(format_bytes(16 << 30), "16 GiB");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_bytes(12), "12 B");
    }
}
