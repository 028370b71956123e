//! Reconnect pacing (ARCHITECTURE.md, "The sync engine"; field case F-03):
//! exponential backoff with full jitter, a floor, a cap, the server's
//! `retry:` as the base, and the attempt counter reset after a connection
//! that stayed up long enough. The schedule itself is a pure function so it
//! can be tested without clocks or randomness.

use std::time::Duration;

/// No two attempts closer than this, whatever the jitter or `retry:` says
/// (a `retry: 0` must not become a reconnect loop).
pub const FLOOR: Duration = Duration::from_millis(500);
/// Default cap of one wait.
pub const DEFAULT_CAP: Duration = Duration::from_secs(30);
/// Default base before the server sent a `retry:`.
pub const DEFAULT_BASE: Duration = Duration::from_secs(1);
/// A connection that lasted this long resets the attempt counter.
pub const STABLE_AFTER: Duration = Duration::from_secs(60);

/// The wait before attempt `n` (0-based):
/// `max(floor, unit · min(cap, base · 2^n))`, where `unit` is a uniform
/// random number in `[0, 1)` (full jitter). Saturates instead of
/// overflowing for any `n` or `base`.
pub fn delay(n: u32, base: Duration, cap: Duration, floor: Duration, unit: f64) -> Duration {
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // 2^n saturates long before u32::MAX; millis keep the arithmetic exact.
    let factor = 1u64.checked_shl(n.min(63)).unwrap_or(u64::MAX);
    let base_ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
    let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    let ceiling = base_ms.saturating_mul(factor).min(cap_ms);
    let jittered = (ceiling as f64 * unit) as u64;
    Duration::from_millis(jittered).max(floor)
}

/// The engine's reconnect state: attempt counter and current base.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    floor: Duration,
    stable_after: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            floor: FLOOR,
            stable_after: STABLE_AFTER,
            attempt: 0,
        }
    }

    /// Overrides how long a connection must last to reset the counter.
    pub fn with_stable_after(mut self, d: Duration) -> Backoff {
        self.stable_after = d;
        self
    }

    /// The server's `retry:` becomes the base (the cap and floor still
    /// bound every wait, so neither 0 nor a day can break the pacing).
    pub fn set_base(&mut self, base: Duration) {
        // A base below the floor would keep every wait at the floor: a
        // steady loop, not a backoff. `retry: 0` must still back off.
        self.base = base.max(self.floor);
    }

    pub fn base(&self) -> Duration {
        self.base
    }

    /// How many waits have been taken since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The wait before the next attempt, given a uniform `unit` in [0, 1);
    /// advances the counter. Returns (1-based attempt number, wait).
    pub fn next_with(&mut self, unit: f64) -> (u32, Duration) {
        let d = delay(self.attempt, self.base, self.cap, self.floor, unit);
        self.attempt = self.attempt.saturating_add(1);
        (self.attempt, d)
    }

    /// [`Backoff::next_with`] with a fresh random unit.
    pub fn next_delay(&mut self) -> (u32, Duration) {
        self.next_with(rand::random::<f64>())
    }

    /// A connection ended after being up for `up_for`: a stable one means
    /// the trouble is new, so start again from attempt 0.
    pub fn connection_ended(&mut self, up_for: Duration) {
        if up_for >= self.stable_after {
            self.attempt = 0;
        }
    }

    /// Explicit reset (e.g. the user switched realtime back on).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn grows_exponentially_and_is_capped() {
        // unit just below 1 → the ceiling of each attempt.
        let u = 0.999_999;
        let ms = |n| delay(n, S, DEFAULT_CAP, FLOOR, u).as_millis();
        assert_eq!(ms(0), 999);
        assert_eq!(ms(1), 1999);
        assert_eq!(ms(2), 3999);
        assert_eq!(ms(4), 15999);
        // 32 s would exceed the 30 s cap.
        assert_eq!(ms(5), 29999);
        assert_eq!(ms(40), 29999);
        assert_eq!(ms(u32::MAX), 29999);
    }

    #[test]
    fn jitter_stays_within_bounds() {
        for n in 0..12 {
            let ceiling = (1000u64 << n).min(30_000);
            for i in 0..=100 {
                let unit = i as f64 / 101.0;
                let d = delay(n, S, DEFAULT_CAP, FLOOR, unit).as_millis() as u64;
                assert!(d >= 500, "floor: n={n} unit={unit} d={d}");
                assert!(d <= ceiling.max(500), "ceiling: n={n} unit={unit} d={d}");
            }
        }
        // Random units too: never below the floor, never above the cap.
        let mut b = Backoff::new(S, DEFAULT_CAP);
        for _ in 0..1000 {
            let (_, d) = b.next_delay();
            assert!(d >= FLOOR && d <= DEFAULT_CAP, "{d:?}");
        }
        // Garbage units are harmless.
        assert_eq!(delay(3, S, DEFAULT_CAP, FLOOR, f64::NAN), FLOOR);
        assert_eq!(delay(3, S, DEFAULT_CAP, FLOOR, -3.0), FLOOR);
    }

    #[test]
    fn server_retry_is_bounded_by_floor_and_cap() {
        // retry: 0 → paced by the floor, and still backing off from it.
        let mut b = Backoff::new(S, DEFAULT_CAP);
        b.set_base(Duration::ZERO);
        let waits: Vec<Duration> = (0..8).map(|_| b.next_with(0.99).1).collect();
        assert_eq!(waits[0], FLOOR);
        assert!(waits.iter().all(|w| *w >= FLOOR));
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        assert!(waits[7] > Duration::from_secs(30) / 2, "{waits:?}");
        // retry: 86400000 → capped.
        let mut b = Backoff::new(S, DEFAULT_CAP);
        b.set_base(Duration::from_millis(86_400_000));
        assert_eq!(b.next_with(0.999_999_9).1, Duration::from_millis(29_999));
        assert!(b.next_delay().1 <= DEFAULT_CAP);
    }

    #[test]
    fn counter_resets_after_a_stable_connection_only() {
        let mut b = Backoff::new(S, DEFAULT_CAP);
        for expected in 1..=4 {
            assert_eq!(b.next_with(0.5).0, expected);
        }
        b.connection_ended(Duration::from_secs(59));
        assert_eq!(b.attempt(), 4, "a short connection keeps the counter");
        let (n, d) = b.next_with(0.999_999);
        assert_eq!(n, 5);
        assert_eq!(d, Duration::from_millis(15_999));
        b.connection_ended(STABLE_AFTER);
        assert_eq!(b.attempt(), 0);
        let (n, d) = b.next_with(0.999_999);
        assert_eq!((n, d), (1, Duration::from_millis(999)));
    }

    #[test]
    fn thirty_seconds_down_means_few_attempts() {
        // F-03: 30 s of server downtime costs only a handful of attempts
        // when the jitter draws near its ceiling (the floor bounds the
        // other extreme: never more than one attempt per 500 ms).
        let mut b = Backoff::new(S, DEFAULT_CAP);
        let mut t = Duration::ZERO;
        let mut attempts = 0;
        while t < Duration::from_secs(30) {
            t += b.next_with(0.999).1;
            attempts += 1;
        }
        assert!(attempts <= 8, "{attempts}");
    }
}
