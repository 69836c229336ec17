//! The restart budget: when an unhealthy target may be restarted, when to give up, and when a
//! healthy period earns the budget back. Pure policy over a monotonic clock; the runner
//! carries out the decisions.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::model::AutoHealingConfig;

/// How many restart intervals a target must stay healthy before its budget is reset.
pub const RESET_AFTER_INTERVALS: u32 = 10;
/// The longest wait between restarts, however far the backoff has grown.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// What auto-healing is doing for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealState {
    /// Auto-healing is off, or the check has no restart command.
    Off,
    /// Nothing to do.
    Idle,
    /// Unhealthy; the next restart waits for the backoff.
    Waiting,
    /// A restart command is running.
    Restarting,
    /// The budget is spent: no more restarts until the target is healthy again for a while.
    GaveUp,
}

impl HealState {
    pub fn as_str(self) -> &'static str {
        match self {
            HealState::Off => "off",
            HealState::Idle => "idle",
            HealState::Waiting => "waiting",
            HealState::Restarting => "restarting",
            HealState::GaveUp => "gave_up",
        }
    }
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Nothing,
    /// Run the restart command; this is restart number `attempt` (1-based) in the budget.
    Restart {
        attempt: u32,
    },
    /// The budget just ran out.
    GiveUp,
}

/// Per-target restart bookkeeping.
#[derive(Debug, Clone)]
pub struct Healer {
    /// Restarts since the last reset.
    pub restarts: u32,
    /// Restarts over the target's whole life in this process (shown in status).
    pub restarts_total: u64,
    next_allowed: Option<Instant>,
    healthy_since: Option<Instant>,
    pub state: HealState,
}

impl Default for Healer {
    fn default() -> Self {
        Healer {
            restarts: 0,
            restarts_total: 0,
            next_allowed: None,
            healthy_since: None,
            state: HealState::Idle,
        }
    }
}

impl Healer {
    /// A healer for a one-off run, where auto-healing does not apply.
    pub fn off() -> Self {
        Healer {
            state: HealState::Off,
            ..Healer::default()
        }
    }

    /// Decide given the target's health. `jitter` in [0, 1) stretches the backoff by up to
    /// 20 % so that many targets failing together do not restart in lockstep.
    pub fn decide(
        &mut self,
        unhealthy: bool,
        cfg: &AutoHealingConfig,
        can_restart: bool,
        now: Instant,
        jitter: f64,
    ) -> Decision {
        if !cfg.enabled || !can_restart {
            self.state = HealState::Off;
            return Decision::Nothing;
        }
        if self.state == HealState::Off {
            self.state = HealState::Idle;
        }
        if self.state == HealState::Restarting {
            return Decision::Nothing;
        }
        let interval = cfg.restart_interval.as_std();
        if !unhealthy {
            let since = *self.healthy_since.get_or_insert(now);
            if self.restarts > 0
                && now.duration_since(since) >= interval.saturating_mul(RESET_AFTER_INTERVALS)
            {
                self.restarts = 0;
                self.next_allowed = None;
            }
            if self.state != HealState::GaveUp || self.restarts == 0 {
                self.state = HealState::Idle;
            }
            return Decision::Nothing;
        }
        self.healthy_since = None;
        if self.state == HealState::GaveUp {
            return Decision::Nothing;
        }
        if self.restarts >= cfg.max_restarts {
            self.state = HealState::GaveUp;
            return Decision::GiveUp;
        }
        if self.next_allowed.is_some_and(|t| now < t) {
            self.state = HealState::Waiting;
            return Decision::Nothing;
        }
        self.restarts += 1;
        self.restarts_total += 1;
        // The gap after restart n is interval × 2^(n-1), never less than the interval.
        let factor = 2f64.powi(i32::try_from(self.restarts - 1).unwrap_or(30).min(30))
            * (1.0 + 0.2 * jitter.clamp(0.0, 1.0));
        let gap = Duration::from_secs_f64(
            (interval.as_secs_f64() * factor).min(MAX_BACKOFF.as_secs_f64()),
        )
        .max(interval);
        self.next_allowed = Some(now + gap);
        self.state = HealState::Restarting;
        Decision::Restart {
            attempt: self.restarts,
        }
    }

    /// The restart command finished (whatever its outcome).
    pub fn restart_done(&mut self) {
        if self.state == HealState::Restarting {
            self.state = HealState::Waiting;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PromDuration;

    fn cfg(max: u32) -> AutoHealingConfig {
        AutoHealingConfig {
            enabled: true,
            max_restarts: max,
            restart_interval: PromDuration::from_secs(10),
        }
    }

    #[test]
    fn restarts_back_off_then_give_up() {
        let mut h = Healer::default();
        let t0 = Instant::now();
        let c = cfg(3);
        assert_eq!(
            h.decide(true, &c, true, t0, 0.0),
            Decision::Restart { attempt: 1 }
        );
        // In flight: never a second restart.
        assert_eq!(h.decide(true, &c, true, t0, 0.0), Decision::Nothing);
        h.restart_done();
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(9), 0.0),
            Decision::Nothing
        );
        assert_eq!(h.state, HealState::Waiting);
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(10), 0.0),
            Decision::Restart { attempt: 2 }
        );
        h.restart_done();
        // Second gap is 20 s.
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(29), 0.0),
            Decision::Nothing
        );
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(30), 0.0),
            Decision::Restart { attempt: 3 }
        );
        h.restart_done();
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(100), 0.0),
            Decision::GiveUp
        );
        assert_eq!(h.state, HealState::GaveUp);
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(1000), 0.0),
            Decision::Nothing
        );
    }

    #[test]
    fn a_healthy_period_resets_the_budget() {
        let mut h = Healer::default();
        let t0 = Instant::now();
        let c = cfg(1);
        assert_eq!(
            h.decide(true, &c, true, t0, 0.0),
            Decision::Restart { attempt: 1 }
        );
        h.restart_done();
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(20), 0.0),
            Decision::GiveUp
        );
        h.decide(false, &c, true, t0 + Duration::from_secs(30), 0.0);
        assert_eq!(
            h.state,
            HealState::GaveUp,
            "a moment of health is not enough"
        );
        h.decide(false, &c, true, t0 + Duration::from_secs(130), 0.0);
        assert_eq!(h.state, HealState::Idle);
        assert_eq!(h.restarts, 0);
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(140), 0.0),
            Decision::Restart { attempt: 1 }
        );
    }

    #[test]
    fn jitter_only_stretches_and_disabled_does_nothing() {
        let mut h = Healer::default();
        let t0 = Instant::now();
        let c = cfg(5);
        assert!(matches!(
            h.decide(true, &c, true, t0, 0.99),
            Decision::Restart { .. }
        ));
        h.restart_done();
        assert_eq!(
            h.decide(true, &c, true, t0 + Duration::from_secs(10), 0.0),
            Decision::Nothing,
            "jittered gap is longer than the interval"
        );
        let mut off = Healer::default();
        let disabled = AutoHealingConfig {
            enabled: false,
            ..c.clone()
        };
        assert_eq!(
            off.decide(true, &disabled, true, t0, 0.0),
            Decision::Nothing
        );
        assert_eq!(off.state, HealState::Off);
        assert_eq!(off.decide(true, &c, false, t0, 0.0), Decision::Nothing);
    }
}
