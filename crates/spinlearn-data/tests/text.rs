//! Text rasters: round trips, transposition, and errors with line and column numbers.

use ndarray::array;
use spinlearn_data::generate::bars;
use spinlearn_data::text::{format_text, parse_text, read_text, write_text};
use std::path::Path;

#[test]
fn whitespace_and_csv_parse_to_the_same_matrix() {
    let p = Path::new("r.txt");
    let ws = "# spike raster\n0 1 1\n\n1\t0  0\n";
    let csv = "0,1,1\n1,0,0\n";
    let mixed = "0, 1, 1\r\n1 ,0,0\r\n";
    let expected = array![[0.0f32, 1.0, 1.0], [1.0, 0.0, 0.0]];
    for t in [ws, csv, mixed] {
        assert_eq!(parse_text(t, p, false).unwrap(), expected, "{t:?}");
    }
    // Rows are neurons: transposed, samples are the time bins (columns).
    assert_eq!(
        parse_text(csv, p, true).unwrap(),
        array![[0.0f32, 1.0], [1.0, 0.0], [1.0, 0.0]]
    );
    assert_eq!(parse_text("-1 1\n1 -1", p, false).unwrap()[[0, 0]], -1.0);
}

#[test]
fn errors_give_line_and_column() {
    let p = Path::new("raster.csv");
    let e = parse_text("0 1 1\n1 0\n", p, false)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "raster.csv: line 2: ragged row of 2 values, expected 3 as on line 1"
    );
    let e = parse_text("0 1\n# c\n1 x1\n", p, false)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "raster.csv: line 3, column 3: 'x1' is not a number");
    let e = parse_text("0,,1\n", p, false).unwrap_err().to_string();
    assert_eq!(e, "raster.csv: line 1, column 3: empty field");
    let e = parse_text("0 nan\n", p, false).unwrap_err().to_string();
    assert!(e.contains("not a finite number"), "{e}");
    let e = parse_text("# only a comment\n\n", p, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no data"), "{e}");
    let e = read_text(Path::new("/nonexistent/r.txt"), false)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/nonexistent/r.txt: "), "{e}");
}

#[test]
fn file_round_trip() {
    let dir = std::env::temp_dir().join(format!("spinlearn-data-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let b = bars(4).unwrap();
    for delim in [',', ' '] {
        let p = dir.join("bars.txt");
        write_text(&p, &b.data, delim).unwrap();
        let back = read_text(&p, false).unwrap();
        assert_eq!(back.name, "bars");
        assert_eq!(back.data, b.data);
        let back_t = read_text(&p, true).unwrap();
        assert_eq!(back_t.data, b.data.t());
    }
    assert_eq!(
        format_text(&array![[0.0f32, 1.0], [0.5, -1.0]], ','),
        "0,1\n0.5,-1\n"
    );
    std::fs::remove_dir_all(&dir).ok();
}
