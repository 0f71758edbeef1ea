//! Side-by-side timing in one process: the contestants take turns, round after round, each
//! round starting with the next one, so that none always runs first and all share the
//! machine's state of the moment. A contestant's turn counts its fastest fifth (see `race`). Each round gives every contestant a time per call and a
//! ratio to the anchor *of that same round*: on a loaded machine the rounds move together, and
//! the ratios stay steadier than the times. The report gives each contestant's median time
//! and the min, median and max of its ratios.
//!
//! ```
//! use cognito_flows_testkit::race::{Contestant, race};
//!
//! let (mut ours, mut theirs) = (|| (1..100u64).sum::<u64>() > 0, || (1..200u64).sum::<u64>() > 0);
//! let mut contestants = [Contestant::new("ours", &mut ours), Contestant::new("theirs", &mut theirs)];
//! let report = race(&mut contestants, 1, 5, 10);
//! print!("{}", report.table()); // median, fastest, and the ratio to "theirs" min / median / max
//! assert_eq!(report.standings[1].ratio, [1.0, 1.0, 1.0]);
//! ```

use std::time::{Duration, Instant};

/// One contestant: a name, and a call that answers whether it did its work right.
pub struct Contestant<'a> {
    name: &'a str,
    run: &'a mut dyn FnMut() -> bool,
}

impl<'a> Contestant<'a> {
    /// A contestant named `name` (in the report) that runs `run`.
    pub fn new(name: &'a str, run: &'a mut dyn FnMut() -> bool) -> Self {
        Self { name, run }
    }
}

/// What one contestant measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// The contestant's name.
    pub name: String,
    /// The median time per call over the rounds.
    pub median: Duration,
    /// The fastest round's time per call.
    pub fastest: Duration,
    /// The min, median and max over the rounds of (this contestant's time / the anchor's).
    pub ratio: [f64; 3],
}

/// The race's outcome, in the contestants' order.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The rounds measured (after the warm-up).
    pub rounds: usize,
    /// The calls of each contestant per turn.
    pub batch: u32,
    /// The name of the contestant the others are compared with.
    pub anchor: String,
    /// Each contestant's figures, in the contestants' order.
    pub standings: Vec<Standing>,
}

/// Runs `rounds` rounds of `batch` calls of each contestant in turn (after 3 rounds to warm
/// up) and compares each with `contestants[anchor]`.
///
/// # Panics
/// When a call answers false (a contestant that stopped verifying would be fast for the wrong
/// reason), when there are no contestants or rounds, or when `anchor` is out of range.
pub fn race(
    contestants: &mut [Contestant<'_>],
    anchor: usize,
    rounds: usize,
    batch: u32,
) -> Report {
    assert!(rounds > 0 && batch > 0 && anchor < contestants.len());
    let count = contestants.len();
    // A turn is five slices of the batch, and counts its fastest slice: a slice the scheduler
    // interrupts (another process, an interrupt) does not become the round's figure.
    let slice = batch.div_ceil(5);
    let run_round = |round: usize, contestants: &mut [Contestant<'_>]| {
        let mut times = vec![Duration::ZERO; count];
        for k in 0..count {
            let i = (round + k) % count;
            let Contestant { name, run } = &mut contestants[i];
            let mut fastest = Duration::MAX;
            let mut left = batch;
            while left > 0 {
                let calls = slice.min(left);
                let start = Instant::now();
                for _ in 0..calls {
                    assert!(std::hint::black_box(run()), "{name} failed");
                }
                fastest = fastest.min(start.elapsed() / calls);
                left -= calls;
            }
            times[i] = fastest;
        }
        times
    };
    for round in 0..3 {
        run_round(round, contestants);
    }
    let per_round: Vec<Vec<Duration>> = (0..rounds).map(|r| run_round(r, contestants)).collect();
    let standings = contestants
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut times: Vec<Duration> = per_round.iter().map(|t| t[i]).collect();
            times.sort();
            let mut ratios: Vec<f64> = per_round
                .iter()
                .map(|t| t[i].as_secs_f64() / t[anchor].as_secs_f64().max(f64::MIN_POSITIVE))
                .collect();
            ratios.sort_by(f64::total_cmp);
            Standing {
                name: c.name.to_string(),
                median: times[times.len() / 2],
                fastest: times[0],
                ratio: [
                    ratios[0],
                    ratios[ratios.len() / 2],
                    ratios[ratios.len() - 1],
                ],
            }
        })
        .collect();
    Report {
        rounds,
        batch,
        anchor: contestants[anchor].name.to_string(),
        standings,
    }
}

impl Report {
    /// The report as a table: median and fastest time per call, and the ratios to the anchor.
    pub fn table(&self) -> String {
        let unit = |d: Duration| {
            let us = d.as_secs_f64() * 1e6;
            if us >= 1000.0 {
                format!("{:>8.3} ms", us / 1000.0)
            } else {
                format!("{us:>8.2} us")
            }
        };
        let mut out = format!(
            "{} rounds of {} calls, in turn; ratios to \"{}\" within each round\n  {:<46} {:>11} {:>11}   {:>22}\n",
            self.rounds,
            self.batch,
            self.anchor,
            "",
            "median",
            "fastest",
            "ratio min / median / max"
        );
        for s in &self.standings {
            out.push_str(&format!(
                "  {:<46} {} {}   {:>6.2}x / {:>5.2}x / {:>5.2}x\n",
                s.name,
                unit(s.median),
                unit(s.fastest),
                s.ratio[0],
                s.ratio[1],
                s.ratio[2]
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anchor_is_one_and_the_ratios_are_ordered() {
        let spin = |n: u64| {
            move || {
                let mut x = 1u64;
                for i in 0..n {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
                }
                x != 0 || n == 0
            }
        };
        let (mut light, mut heavy) = (spin(2_000), spin(200_000));
        let mut contestants = [
            Contestant::new("heavy", &mut heavy),
            Contestant::new("light", &mut light),
        ];
        let report = race(&mut contestants, 1, 9, 3);
        assert_eq!(report.anchor, "light");
        assert_eq!(report.standings[1].ratio, [1.0, 1.0, 1.0]);
        let heavy = &report.standings[0];
        assert!(heavy.ratio[0] <= heavy.ratio[1] && heavy.ratio[1] <= heavy.ratio[2]);
        assert!(report.table().contains("ratio min / median / max"));
    }

    #[test]
    #[should_panic(expected = "wrong failed")]
    fn a_contestant_that_fails_stops_the_race() {
        let mut wrong = || false;
        let mut contestants = [Contestant::new("wrong", &mut wrong)];
        race(&mut contestants, 0, 1, 1);
    }
}
