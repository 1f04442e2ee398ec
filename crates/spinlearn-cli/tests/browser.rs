//! The report in a real browser: the smoke-size report is served on localhost and rendered by
//! headless Chromium (Debian's `chromium` package, installed by `.ci/run`). A harness page loads
//! the report in a frame and checks that every image loads, every internal link resolves, the
//! scoreboard lists every claim of `claims.json`, and that the page requests nothing from any
//! other origin. Without Chromium this test fails (it is not skipped), naming the package.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const HARNESS: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>harness</title></head>
<body><pre id="result">pending</pre>
<iframe id="f" src="index.html" style="width:1400px;height:900px"></iframe>
<script>
async function check() {
  const out = {images: 0, bad_images: [], anchors: 0, bad_anchors: [], files: 0, bad_files: [],
               claims: 0, missing_claims: [], foreign: []};
  const doc = document.getElementById('f').contentDocument;
  const imgs = Array.from(doc.images);
  await Promise.all(imgs.map(i => i.complete ? 0 : new Promise(r => { i.onload = r; i.onerror = r; })));
  for (const i of imgs) { out.images++; if (!(i.complete && i.naturalWidth > 0)) out.bad_images.push(i.getAttribute('src').slice(0, 80)); }
  for (const a of doc.querySelectorAll('a[href]')) {
    const h = a.getAttribute('href');
    if (h.startsWith('#')) {
      out.anchors++;
      if (h !== '#top' && !doc.getElementById(decodeURIComponent(h.slice(1)))) out.bad_anchors.push(h);
      if (h === '#top' && !doc.getElementById('top')) out.bad_anchors.push(h);
    } else {
      out.files++;
      try { const r = await fetch(new URL(h, doc.baseURI), {method: 'HEAD'}); if (!r.ok) out.bad_files.push(h); }
      catch (e) { out.bad_files.push(h); }
    }
  }
  const claims = await (await fetch('claims.json')).json();
  const rows = new Set(Array.from(doc.querySelectorAll('#scoreboard tr[data-claim]')).map(r => r.getAttribute('data-claim')));
  for (const c of claims) {
    out.claims++;
    const anchor = 'claim-' + c.section + '-' + c.id.replace(/[. \/]/g, '-');
    if (!rows.has(anchor) || !doc.getElementById(anchor)) out.missing_claims.push(anchor);
  }
  const entries = performance.getEntriesByType('resource').concat(
      document.getElementById('f').contentWindow.performance.getEntriesByType('resource'));
  for (const e of entries) if (!e.name.startsWith(location.origin)) out.foreign.push(e.name);
  document.getElementById('result').textContent = 'RESULT' + JSON.stringify(out) + 'END';
}
document.getElementById('f').addEventListener('load', () => check().catch(e => {
  document.getElementById('result').textContent = 'RESULT' + JSON.stringify({error: String(e)}) + 'END';
}));
</script></body></html>"#;

/// Serves `root` (and the harness) on 127.0.0.1; records every requested path.
fn serve(root: PathBuf) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let log = Arc::clone(&log2);
            std::thread::spawn(move || handle(stream, &root, &log));
        }
    });
    (port, log)
}

fn handle(mut stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts
        .next()
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    log.lock().unwrap().push(path.clone());
    let rel = path.trim_start_matches('/');
    let (status, body, ctype) = if rel == "__harness.html" {
        (
            "200 OK",
            HARNESS.as_bytes().to_vec(),
            "text/html; charset=utf-8",
        )
    } else if rel.split('/').any(|c| c == "..") {
        ("403 Forbidden", Vec::new(), "text/plain")
    } else {
        match std::fs::read(root.join(if rel.is_empty() { "index.html" } else { rel })) {
            Ok(b) => {
                let ctype = match rel.rsplit('.').next() {
                    Some("html") => "text/html; charset=utf-8",
                    Some("png") => "image/png",
                    Some("svg") => "image/svg+xml",
                    Some("json") => "application/json",
                    Some("csv") => "text/csv",
                    _ => "application/octet-stream",
                };
                ("200 OK", b, ctype)
            }
            Err(_) => ("404 Not Found", Vec::new(), "text/plain"),
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
}

fn chromium() -> PathBuf {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return PathBuf::from(c);
        }
    }
    panic!(
        "Chromium not found: install Debian's `chromium` package (apt-get install chromium); \
         .ci/run does this"
    );
}

#[test]
fn smoke_report_renders_in_headless_chromium() {
    let browser = chromium();
    let d = tmp("browser");
    let out = d.join("report");
    let o = run(&[
        "-q",
        "--seed",
        "1",
        "reproduce",
        "all",
        "--smoke",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    for attr in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
    ] {
        assert!(
            !html.contains(attr),
            "the page names an external resource: {attr}"
        );
    }
    let (port, log) = serve(out.clone());
    let profile = d.join("profile");
    let dom = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--virtual-time-budget=30000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("http://127.0.0.1:{port}/__harness.html"))
        .output()
        .expect("chromium runs");
    let text = String::from_utf8_lossy(&dom.stdout);
    let result = text
        .split("RESULT")
        .nth(1)
        .and_then(|r| r.split("END").next())
        .unwrap_or_else(|| {
            panic!(
                "no result from the harness; stdout: {}\nstderr: {}",
                &text[..text.len().min(2000)],
                String::from_utf8_lossy(&dom.stderr)
            )
        });
    let r: serde_json::Value = serde_json::from_str(&result.replace("&quot;", "\""))
        .unwrap_or_else(|e| panic!("{e}: {result}"));
    assert!(r.get("error").is_none(), "harness error: {r}");
    assert!(r["images"].as_u64().unwrap() > 0, "{r}");
    for key in [
        "bad_images",
        "bad_anchors",
        "bad_files",
        "missing_claims",
        "foreign",
    ] {
        assert!(r[key].as_array().unwrap().is_empty(), "{key}: {r}");
    }
    let claims = read_json(&out.join("claims.json"));
    assert_eq!(
        r["claims"].as_u64().unwrap() as usize,
        claims.as_array().unwrap().len()
    );
    assert!(r["claims"].as_u64().unwrap() > 0, "no claims in the report");
    let requested = log.lock().unwrap().clone();
    assert!(
        requested.iter().any(|p| p.ends_with(".png")),
        "{requested:?}"
    );
    assert!(
        !html.contains("unchecked"),
        "a table row has a paper value but no claim"
    );
    let _ = std::fs::remove_dir_all(&d);
}
