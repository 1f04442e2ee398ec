//! The `data` section: what the embedded and generated datasets look like, with their sizes.
//! Also the pattern for paper sections: compute with the libraries, save figures into `s.dir`,
//! return the report section and the summary.

use crate::{Claim, Measured, ReproduceError, Result, Rule, SectionCtx, SectionOutput};
use ndarray::{ArrayD, IxDyn};
use serde_json::json;
use spinlearn_core::Observer;
use spinlearn_data::Dataset;
use spinlearn_data::npy::{NpyArray, write_npz};
use spinlearn_data::{generate, mnist, transform};
use spinlearn_plot::{ImageGrid, LinePlot, ReportSection, Series, SeriesStyle, TableRow};

/// Writes the images a grid shows as `dir/<stem>.npz`: `images` `(n, height, width)` f32 and, when
/// known, `labels` `(n,)` u8 — the data behind an image-grid figure.
fn save_images(
    s: &SectionCtx,
    stem: &str,
    ds: &Dataset,
    rows: &[usize],
    shape: (usize, usize),
) -> Result<()> {
    let (h, w) = shape;
    let mut pixels = Vec::with_capacity(rows.len() * h * w);
    for &i in rows {
        pixels.extend_from_slice(ds.row(i));
    }
    let images = ArrayD::from_shape_vec(IxDyn(&[rows.len(), h, w]), pixels)
        .map_err(|e| ReproduceError::invalid("images", e.to_string()))?;
    let mut arrays = vec![("images", NpyArray::F32(images))];
    if let Some(l) = &ds.labels {
        let labels =
            ArrayD::from_shape_vec(IxDyn(&[rows.len()]), rows.iter().map(|&i| l[i]).collect())
                .map_err(|e| ReproduceError::invalid("labels", e.to_string()))?;
        arrays.push(("labels", NpyArray::U8(labels)));
    }
    write_npz(&s.dir.join(format!("{stem}.npz")), &arrays)?;
    Ok(())
}

/// Runs the section.
pub fn run(s: &SectionCtx, _obs: &mut dyn Observer) -> Result<SectionOutput> {
    let digits = mnist::embedded()?;
    let n_show = s.mode.pick(16, 64, 100);
    let cols = (n_show as f64).sqrt() as usize;
    let images: Vec<Vec<f32>> = (0..n_show).map(|i| digits.row(i).to_vec()).collect();
    let mut grid = ImageGrid::new(images, (28, 28), cols);
    grid.title = format!("First {n_show} digits of the embedded MNIST subset");
    grid.captions = digits
        .labels
        .as_ref()
        .map(|l| l[..n_show].iter().map(|d| d.to_string()).collect());
    grid.save(&s.stem("mnist_grid"))?;
    let shown: Vec<usize> = (0..n_show).collect();
    save_images(s, "mnist_grid", &digits, &shown, (28, 28))?;

    let binary = transform::binarize(&digits.head(n_show), 0.5)?;
    let mut bgrid = ImageGrid::new(
        (0..n_show).map(|i| binary.row(i).to_vec()).collect(),
        (28, 28),
        cols,
    );
    bgrid.title = "The same digits binarized at 0.5".into();
    bgrid.save(&s.stem("mnist_binary_grid"))?;
    save_images(s, "mnist_binary_grid", &binary, &shown, (28, 28))?;

    let mut counts = [0usize; 10];
    for &l in digits.labels.as_deref().unwrap_or(&[]) {
        counts[l as usize] += 1;
    }
    LinePlot::new("Label counts of the embedded subset", "digit", "count")
        .with(
            Series::points(
                "",
                (0..10).map(f64::from).collect(),
                counts.iter().map(|&c| c as f64).collect(),
            )
            .with_style(SeriesStyle::Bars),
        )
        .save(&s.stem("label_counts"))?;
    spinlearn_core::table::write_csv(
        &s.dir.join("label_counts.csv"),
        &["digit", "count"],
        counts.iter().enumerate().map(|(d, &c)| vec![d, c]),
    )?;

    let bars = generate::bars(4)?;
    let bgrid4 = ImageGrid::new(
        (0..bars.n_samples())
            .map(|i| bars.row(i).to_vec())
            .collect(),
        (4, 4),
        7,
    );
    ImageGrid {
        scale: 12,
        title: format!("Bars 4x4: all {} images", bars.n_samples()),
        ..bgrid4
    }
    .save(&s.stem("bars4"))?;
    save_images(
        s,
        "bars4",
        &bars,
        &(0..bars.n_samples()).collect::<Vec<_>>(),
        (4, 4),
    )?;
    let bas = generate::bars_and_stripes(12)?;
    let pick: Vec<usize> = (0..32).map(|i| i * (bas.n_samples() / 32)).collect();
    let bas_show = bas.select(&pick);
    let g = ImageGrid::new(
        (0..bas_show.n_samples())
            .map(|i| bas_show.row(i).to_vec())
            .collect(),
        (12, 12),
        8,
    );
    ImageGrid {
        scale: 5,
        title: format!("Bars-and-stripes 12x12: 32 of {}", bas.n_samples()),
        ..g
    }
    .save(&s.stem("bas12"))?;
    save_images(
        s,
        "bas12",
        &bas_show,
        &(0..bas_show.n_samples()).collect::<Vec<_>>(),
        (12, 12),
    )?;

    let ink = binary.data.iter().filter(|&&x| x > 0.5).count() as f64 / binary.data.len() as f64;
    let section = ReportSection {
        title: "Data overview".into(),
        text: vec![
            "The embedded subset holds 10,000 real MNIST digits (see data/mnist10k/PROVENANCE.md); bars and bars-and-stripes are generated.".into(),
        ],
        figures: vec![
            s.figure("mnist_grid", "Embedded MNIST digits with their labels."),
            s.figure("mnist_binary_grid", "The same digits binarized at half of full scale."),
            s.figure("label_counts", "Label counts of the embedded subset."),
            s.figure("bars4", "All 4x4 bars images (vertical bars, uniform images excluded)."),
            s.figure("bas12", "A sample of 12x12 bars-and-stripes images."),
        ],
        table: vec![
            TableRow { name: "mnist.n_samples".into(), value: digits.n_samples().to_string(), paper: Some("10000".into()), note: "embedded subset".into(), claim: Some("claim-data-mnist-n_samples".into()) },
            TableRow { name: "bars4.n_images".into(), value: bars.n_samples().to_string(), paper: Some("14".into()), note: "paper 004, Bars 4x4".into(), claim: Some("claim-data-bars4-n_images".into()) },
            TableRow { name: "bas12.n_images".into(), value: bas.n_samples().to_string(), paper: Some("8188".into()), note: "paper 004, BAS 12x12".into(), claim: Some("claim-data-bas12-n_images".into()) },
            TableRow { name: "mnist.ink_fraction".into(), value: format!("{ink:.4}"), paper: None, note: "binarized at 0.5, shown digits".into(), claim: None },
        ],
        ..Default::default()
    };
    Ok(SectionOutput {
        section,
        summary: json!({
            "mnist": {"n_samples": digits.n_samples(), "label_counts": counts},
            "bars4": {"n_images": bars.n_samples()},
            "bas12": {"n_images": bas.n_samples()},
        }),
        claims: vec![
            Claim::new(
                "mnist.n_samples",
                "Digits in the embedded MNIST subset",
                Measured::single(digits.n_samples() as f64),
                "images",
                "10,000 (the first 10,000 training digits)",
                Rule::Absolute {
                    paper: 10_000.0,
                    tol: 0.0,
                },
            )
            .with_figure("label_counts"),
            Claim::new(
                "bars4.n_images",
                "Bars 4x4 images",
                Measured::single(bars.n_samples() as f64),
                "images",
                "14 (004, Sec. V A)",
                Rule::Absolute {
                    paper: 14.0,
                    tol: 0.0,
                },
            )
            .with_figure("bars4"),
            Claim::new(
                "bas12.n_images",
                "Bars-and-stripes 12x12 images",
                Measured::single(bas.n_samples() as f64),
                "images",
                "8,188 (004, Sec. V A)",
                Rule::Absolute {
                    paper: 8188.0,
                    tol: 0.0,
                },
            )
            .with_figure("bas12"),
        ],
    })
}
