//! The plan that makes a state match a configuration file, and carrying it out. Both run
//! where the state is (the agent, or embedded mode), under the state's lock, so the plan is
//! made against the state it changes and is applied in one write.
//!
//! Secrets are compared by value on the agent, which can read its own: a secret whose value
//! did not change is no change, and a plan never carries a value (`<secret>`, or `<secret>
//! (new value)` where the value differs).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{ConfigFile, map_logging, map_tracing};
use crate::error::{Error, Result};
use crate::model::{Secret, SecretRef};
use crate::store::State;

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// What a change is made to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Metrics,
    AutoHealing,
    Rule,
    Channel,
    Check,
    Tracing,
    Logging,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Metrics => "metrics",
            Kind::AutoHealing => "auto_healing",
            Kind::Rule => "rule",
            Kind::Channel => "channel",
            Kind::Check => "check",
            Kind::Tracing => "tracing",
            Kind::Logging => "logging",
        }
    }
}

/// One change of a plan: the object before and after, as the file shows it (secrets as
/// `<secret>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanChange {
    pub action: Action,
    pub kind: Kind,
    /// The object's name (the section's name for metrics, auto_healing, tracing, logging).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
}

/// `config apply` on one agent: the plan, and whether it was carried out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplyReport {
    pub dry_run: bool,
    /// The plan was carried out (false for a dry run and when there was nothing to do).
    pub applied: bool,
    pub changes: Vec<PlanChange>,
}

/// What a shown secret reads as when its value is unchanged.
const SAME: &str = "<secret>";
/// … and when the file gives a new value.
const NEW_VALUE: &str = "<secret> (new value)";

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::caused("encoding the plan", e))
}

/// Compare two objects with `PartialEq`, by name, in name order.
fn by_name<T: Serialize + PartialEq>(
    out: &mut Vec<PlanChange>,
    kind: Kind,
    stored: &[T],
    desired: &[T],
    name: impl Fn(&T) -> &str,
    prune: bool,
) -> Result<()> {
    let old: BTreeMap<&str, &T> = stored.iter().map(|t| (name(t), t)).collect();
    let new: BTreeMap<&str, &T> = desired.iter().map(|t| (name(t), t)).collect();
    let mut names: Vec<&str> = old.keys().chain(new.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        let change = match (old.get(n), new.get(n)) {
            (None, Some(t)) => Some((Action::Create, None, Some(json(t)?))),
            (Some(o), Some(t)) if o != t => Some((Action::Update, Some(json(o)?), Some(json(t)?))),
            (Some(o), None) if prune => Some((Action::Delete, Some(json(o)?), None)),
            _ => None,
        };
        if let Some((action, before, after)) = change {
            out.push(PlanChange {
                action,
                kind,
                name: n.to_string(),
                before,
                after,
            });
        }
    }
    Ok(())
}

/// The stored form of an object with secrets, and the desired one, as shown: equal views mean
/// no change, since a changed secret shows as [`NEW_VALUE`].
fn secret_change(
    out: &mut Vec<PlanChange>,
    kind: Kind,
    name: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    prune: bool,
) {
    let action = match (&before, &after) {
        (None, Some(_)) => Action::Create,
        (Some(b), Some(a)) if b != a => Action::Update,
        (Some(_), None) if prune => Action::Delete,
        _ => return,
    };
    out.push(PlanChange {
        action,
        kind,
        name: name.to_string(),
        before,
        after,
    });
}

/// The values of stored secrets by field, as far as they can be read (an unreadable one
/// counts as different, so applying stores it again).
type Values = HashMap<String, String>;

/// How a secret of the desired object is shown: `<secret>` when it is new with its object
/// (`old` is `None`) or keeps its value, else `<secret> (new value)`.
fn mark(old: Option<&Values>, field: &str, new: &Secret) -> String {
    if old.is_none_or(|o| o.get(field).map(String::as_str) == Some(new.expose())) {
        SAME.into()
    } else {
        NEW_VALUE.into()
    }
}

fn infallible<T>(r: std::result::Result<T, std::convert::Infallible>) -> T {
    match r {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// Make the plan: what must change in `state` for it to match `desired`. Objects the file
/// lacks are deleted only with `prune`; `stored` reads a stored secret's value.
pub fn plan(
    state: &State,
    desired: &ConfigFile<Secret>,
    prune: bool,
    stored: &dyn Fn(&SecretRef) -> Option<Secret>,
) -> Result<Vec<PlanChange>> {
    let mut out = Vec::new();
    if let Some(m) = &desired.metrics
        && *m != state.metrics
    {
        out.push(PlanChange {
            action: Action::Update,
            kind: Kind::Metrics,
            name: "metrics".into(),
            before: Some(json(&state.metrics)?),
            after: Some(json(m)?),
        });
    }
    if let Some(a) = &desired.auto_healing
        && *a != state.auto_healing
    {
        out.push(PlanChange {
            action: Action::Update,
            kind: Kind::AutoHealing,
            name: "auto_healing".into(),
            before: Some(json(&state.auto_healing)?),
            after: Some(json(a)?),
        });
    }
    by_name(
        &mut out,
        Kind::Rule,
        &state.rules,
        &desired.rules,
        |r| &r.name,
        prune,
    )?;

    let mut names: Vec<&String> = state
        .channels
        .keys()
        .chain(desired.channels.keys())
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let old = state.channels.get(name);
        let mut values = Values::new();
        let before = old
            .map(|c| {
                json(&infallible(c.clone().try_map_secrets(|field, r| {
                    if let Some(v) = stored(&r) {
                        values.insert(field.to_string(), v.expose().to_string());
                    }
                    Ok(SAME.to_string())
                })))
            })
            .transpose()?;
        let after = desired
            .channels
            .get(name)
            .map(|c| {
                json(&infallible(c.clone().try_map_secrets(|field, s| {
                    Ok(mark(old.map(|_| &values), field, &s))
                })))
            })
            .transpose()?;
        secret_change(&mut out, Kind::Channel, name, before, after, prune);
    }

    by_name(
        &mut out,
        Kind::Check,
        &state.checks,
        &desired.checks,
        |c| &c.name,
        prune,
    )?;

    let mut values = Values::new();
    let before = state
        .tracing
        .as_ref()
        .map(|t| {
            json(&infallible(map_tracing(t.clone(), &mut |path, r| {
                if let Some(v) = stored(&r) {
                    values.insert(path.to_string(), v.expose().to_string());
                }
                Ok(SAME.to_string())
            })))
        })
        .transpose()?;
    let after = desired
        .tracing
        .as_ref()
        .map(|t| {
            let old = state.tracing.as_ref().map(|_| &values);
            json(&infallible(map_tracing(t.clone(), &mut |path, s| {
                Ok(mark(old, path, &s))
            })))
        })
        .transpose()?;
    secret_change(&mut out, Kind::Tracing, "tracing", before, after, prune);

    let mut values = Values::new();
    let before = state
        .logging
        .as_ref()
        .map(|l| {
            json(&infallible(map_logging(l.clone(), &mut |path, r| {
                if let Some(v) = stored(&r) {
                    values.insert(path.to_string(), v.expose().to_string());
                }
                Ok(SAME.to_string())
            })))
        })
        .transpose()?;
    let after = desired
        .logging
        .as_ref()
        .map(|l| {
            let old = state.logging.as_ref().map(|_| &values);
            json(&infallible(map_logging(l.clone(), &mut |path, s| {
                Ok(mark(old, path, &s))
            })))
        })
        .transpose()?;
    secret_change(&mut out, Kind::Logging, "logging", before, after, prune);
    Ok(out)
}

/// Carry out `changes` (made by [`plan`] from this `state` and `desired`) on `state`. New
/// secret values are kept by `put` (key → reference) before the caller saves the state; the
/// references returned are the ones no longer used, for the caller to delete after saving.
pub fn apply(
    state: &mut State,
    desired: &ConfigFile<Secret>,
    changes: &[PlanChange],
    put: &mut dyn FnMut(&str, &Secret) -> Result<SecretRef>,
) -> Result<Vec<SecretRef>> {
    let mut unused: Vec<SecretRef> = Vec::new();
    for change in changes {
        let name = change.name.as_str();
        let delete = change.action == Action::Delete;
        match change.kind {
            Kind::Metrics => {
                if let Some(m) = &desired.metrics {
                    state.metrics = m.clone();
                }
            }
            Kind::AutoHealing => {
                if let Some(a) = &desired.auto_healing {
                    state.auto_healing = a.clone();
                }
            }
            Kind::Rule => {
                state.rules.retain(|r| r.name != name);
                if !delete && let Some(r) = desired.rules.iter().find(|r| r.name == name) {
                    state.rules.push(r.clone());
                }
            }
            Kind::Check => {
                state.checks.retain(|c| c.name != name);
                if !delete && let Some(c) = desired.checks.iter().find(|c| c.name == name) {
                    state.checks.push(c.clone());
                }
            }
            Kind::Channel => {
                let new =
                    match desired.channels.get(name) {
                        Some(c) if !delete => Some(c.clone().try_map_secrets(|field, s| {
                            put(&format!("channel.{name}.{field}"), &s)
                        })?),
                        _ => None,
                    };
                let old = match &new {
                    Some(c) => state.channels.insert(name.to_string(), c.clone()),
                    None => state.channels.remove(name),
                };
                let keep: Vec<SecretRef> = new
                    .iter()
                    .flat_map(|c| c.secrets().into_iter().map(|(_, r)| r.clone()))
                    .collect();
                for (_, r) in old.iter().flat_map(|c| c.secrets()) {
                    if !keep.contains(r) {
                        unused.push(r.clone());
                    }
                }
            }
            Kind::Tracing => {
                let new = match &desired.tracing {
                    Some(t) if !delete => Some(map_tracing(t.clone(), &mut |path, s| {
                        let header = path.trim_start_matches("tracing.headers.");
                        put(&format!("tracing.header.{header}"), &s)
                    })?),
                    _ => None,
                };
                let old = std::mem::replace(&mut state.tracing, new);
                let keep: Vec<&SecretRef> = state
                    .tracing
                    .iter()
                    .flat_map(|t| t.headers.values())
                    .collect();
                for r in old.iter().flat_map(|t| t.headers.values()) {
                    if !keep.contains(&r) {
                        unused.push(r.clone());
                    }
                }
            }
            Kind::Logging => {
                let new = match &desired.logging {
                    Some(l) if !delete => Some(map_logging(l.clone(), &mut |path, s| {
                        let field = path.trim_start_matches("logging.");
                        put(&format!("logging.{field}"), &s)
                    })?),
                    _ => None,
                };
                let old = std::mem::replace(&mut state.logging, new);
                let keep: Vec<&SecretRef> =
                    state.logging.iter().flat_map(|l| l.secrets()).collect();
                for r in old.iter().flat_map(|l| l.secrets()) {
                    if !keep.contains(&r) {
                        unused.push(r.clone());
                    }
                }
            }
        }
    }
    state.rules.sort_by(|a, b| a.name.cmp(&b.name));
    state.checks.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(unused)
}
