//! Generators against their definitions: exact counts (14 for Bars 4 x 4 and 8188 for BAS 12 x 12,
//! the sizes of paper 004), full contents for small n listed by hand, no duplicates, no uniform
//! image, and the statistics of random bits.

use spinlearn_core::Seed;
use spinlearn_data::Dataset;
use spinlearn_data::generate::{bars, bars_and_stripes, random_bits, uniform};
use std::collections::BTreeSet;

/// The images as strings of '0'/'1', row-major.
fn as_strings(d: &Dataset) -> Vec<String> {
    (0..d.n_samples())
        .map(|i| {
            d.row(i)
                .iter()
                .map(|&x| match x {
                    0.0 => '0',
                    1.0 => '1',
                    _ => panic!("non-binary value {x}"),
                })
                .collect()
        })
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn bars_3x3_listed() {
    let d = bars(3).unwrap();
    assert_eq!(d.image_shape, Some((3, 3)));
    assert_eq!(d.n_features(), 9);
    let imgs = as_strings(&d);
    assert_eq!(imgs.len(), 6);
    // Every non-uniform choice of on-columns, each row identical.
    let expected = set(&[
        "100100100",
        "010010010",
        "001001001",
        "110110110",
        "101101101",
        "011011011",
    ]);
    assert_eq!(imgs.iter().cloned().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn bas_3x3_listed() {
    let d = bars_and_stripes(3).unwrap();
    let imgs = as_strings(&d);
    assert_eq!(imgs.len(), 12); // 2^4 - 4
    let expected = set(&[
        // bars (columns)
        "100100100",
        "010010010",
        "001001001",
        "110110110",
        "101101101",
        "011011011",
        // stripes (rows)
        "111000000",
        "000111000",
        "000000111",
        "111111000",
        "111000111",
        "000111111",
    ]);
    assert_eq!(imgs.iter().cloned().collect::<BTreeSet<_>>(), expected);
    let labels = d.labels.as_ref().unwrap();
    for (img, &l) in imgs.iter().zip(labels) {
        // Stripes have constant rows; bars have identical rows.
        let rows: Vec<&str> = (0..3).map(|r| &img[3 * r..3 * r + 3]).collect();
        let is_bars = rows.iter().all(|r| *r == rows[0]);
        assert_eq!(l, if is_bars { 0 } else { 1 }, "{img}");
    }
}

fn assert_distinct_non_uniform(d: &Dataset) {
    let imgs = as_strings(d);
    let distinct: BTreeSet<&String> = imgs.iter().collect();
    assert_eq!(distinct.len(), imgs.len(), "duplicates in {}", d.name);
    for s in &imgs {
        assert!(
            s.contains('0') && s.contains('1'),
            "uniform image in {}",
            d.name
        );
    }
}

#[test]
fn exact_counts_of_paper_004() {
    let b4 = bars(4).unwrap();
    assert_eq!(b4.n_samples(), 14);
    assert_eq!(b4.n_features(), 16);
    assert_distinct_non_uniform(&b4);

    let bas12 = bars_and_stripes(12).unwrap();
    assert_eq!(bas12.n_samples(), 8188);
    assert_eq!(bas12.n_features(), 144);
    assert_eq!(bas12.image_shape, Some((12, 12)));
    assert_distinct_non_uniform(&bas12);
    let n_stripes = bas12
        .labels
        .as_ref()
        .unwrap()
        .iter()
        .filter(|&&l| l == 1)
        .count();
    assert_eq!(n_stripes, 4094);

    for n in 2..=6 {
        assert_eq!(bars(n).unwrap().n_samples(), (1 << n) - 2);
        let bas = bars_and_stripes(n).unwrap();
        assert_eq!(bas.n_samples(), (1 << (n + 1)) - 4);
        assert_distinct_non_uniform(&bas);
    }
}

#[test]
fn random_bits_are_seeded_and_fair() {
    let a = uniform(200, 50, Seed(3)).unwrap();
    assert_eq!(a, uniform(200, 50, Seed(3)).unwrap());
    assert_ne!(a.data, uniform(200, 50, Seed(4)).unwrap().data);
    assert_eq!(a.name, "random200x50");
    assert!(a.data.iter().all(|&x| x == 0.0 || x == 1.0));
    // 10^4 fair bits: mean 0.5 with standard deviation 0.005; 0.02 is four sigma.
    let mean = a.data.iter().map(|&x| x as f64).sum::<f64>() / a.data.len() as f64;
    assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    // p = 0.2: standard deviation 0.004.
    let b = random_bits(100, 100, 0.2, Seed(5)).unwrap();
    let mean = b.data.iter().map(|&x| x as f64).sum::<f64>() / b.data.len() as f64;
    assert!((mean - 0.2).abs() < 0.016, "mean {mean}");
    // One stream per sample: the first rows do not depend on how many rows are drawn.
    let short = uniform(3, 50, Seed(3)).unwrap();
    assert_eq!(short.data, a.head(3).data);
    assert_eq!(uniform(4, 16, Seed(0)).unwrap().image_shape, Some((4, 4)));
    assert_eq!(uniform(4, 15, Seed(0)).unwrap().image_shape, None);
}
