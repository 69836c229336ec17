//! Synthetic CPU profiles for `scripts/bench-merge`: N pprof files of M samples each, shaped
//! like a fleet's profiles of one service (a shared pool of 3000 functions in one binary's
//! mapping, stacks 8 to 40 frames deep drawn from a skewed distribution, `thread`, `pid`
//! and `tid` labels), deterministic for a seed.
//!
//! ```sh
//! cargo run --release --example gen_profiles -- DIR 100 10000
//! ```

// A benchmark tool run by a script: it prints to the terminal and stops loudly on errors.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::expect_used)]

use hivemind::profile::pprof::{Builder, FrameLine, LabelValue};

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Skewed towards small values: a few hot functions, a long tail.
    fn skewed(&mut self, n: u64) -> u64 {
        let a = self.next() % n;
        let b = self.next() % n;
        a.min(b)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, files, samples] = args.as_slice() else {
        eprintln!("usage: gen_profiles DIR FILES SAMPLES");
        std::process::exit(2);
    };
    let files: usize = files.parse().expect("FILES");
    let samples: usize = samples.parse().expect("SAMPLES");
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).expect("creating DIR");
    const FUNCTIONS: u64 = 3000;
    for f in 0..files {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (f as u64 + 1));
        let mut b = Builder::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
        b.period("cpu", "nanoseconds", 10_101_010);
        b.default_sample_type("cpu");
        let frames: Vec<u64> = (0..FUNCTIONS)
            .map(|i| {
                b.frame_lines(vec![FrameLine {
                    function: format!("service::module{}::function_{i}", i % 97),
                    file: format!("src/module{}.rs", i % 97),
                    line: (i % 400) as i64 + 1,
                }])
            })
            .collect();
        let pid = 1000 + f as i64;
        for _ in 0..samples {
            let depth = 8 + rng.next() % 33;
            let stack: Vec<u64> = (0..depth)
                .map(|_| frames[rng.skewed(FUNCTIONS) as usize])
                .collect();
            let tid = pid + (rng.next() % 8) as i64;
            let n = 1 + (rng.next() % 4) as i64;
            b.sample(
                stack,
                &[n, n * 10_101_010],
                vec![
                    (
                        "thread".into(),
                        LabelValue::Str(format!("worker-{}", tid - pid)),
                    ),
                    ("pid".into(), LabelValue::Num(pid, "")),
                    ("tid".into(), LabelValue::Num(tid, "")),
                ],
            );
        }
        let bytes = b.finish().expect("encoding");
        std::fs::write(dir.join(format!("node-{f:03}.prof")), bytes).expect("writing");
    }
    println!("{files} profiles of {samples} samples in {}", dir.display());
}
