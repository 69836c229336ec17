//! cgroup v1/v2: recognise containers in the cgroup tree, list their processes, read their counters.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

/// Who created a container's cgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    Docker,
    Containerd,
    CriO,
    Podman,
    Systemd,
    /// Not a cgroup: a plain process reported when no container runtime exists.
    Process,
}

impl Runtime {
    /// The `runtime` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Docker => "docker",
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Podman => "podman",
            Runtime::Systemd => "systemd",
            Runtime::Process => "process",
        }
    }
}

/// A container as its runtime names it: a 64-hex id, a systemd unit name, or a pid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ContainerId {
    pub runtime: Runtime,
    pub id: String,
}

impl ContainerId {
    /// The `container` label: the first 12 hex characters (what `docker ps` shows) for hex
    /// ids, the whole id otherwise.
    pub fn short(&self) -> &str {
        if is_hex_id(&self.id) {
            &self.id[..12]
        } else {
            &self.id
        }
    }
}

/// A container's cgroup: its identity and its path relative to the hierarchy root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Cgroup {
    pub id: ContainerId,
    /// Starts with `/`, as in `/proc/<pid>/cgroup` (`/docker/3f1c…`).
    pub path: String,
}

const HEX_ID_LEN: usize = 64;

fn is_hex_id(s: &str) -> bool {
    s.len() == HEX_ID_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Recognise a container from a cgroup path (as found in the tree or in `/proc/<pid>/cgroup`).
///
/// Docker `/docker/<id>` and `docker-<id>.scope`; containerd `cri-containerd-<id>.scope`,
/// `nerdctl-<id>.scope` and `/kubepods…/<id>`; CRI-O `crio-<id>[.scope]`; Podman
/// `libpod-<id>[.scope]`; systemd `*.service` under `/system.slice`. Anything else (the
/// runtimes' own `*-conmon-*` monitors, sandboxes of other tools, slices) is not a container.
pub fn identify(path: &str) -> Option<ContainerId> {
    let path = path.trim_end_matches('/');
    let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
    let hex = |runtime: Runtime, id: &str| {
        is_hex_id(id).then(|| ContainerId {
            runtime,
            id: id.to_string(),
        })
    };
    // Runtimes using the systemd cgroup driver create one transient scope per container.
    if let Some(stem) = last.strip_suffix(".scope") {
        const SCOPES: [(&str, Runtime); 5] = [
            ("docker-", Runtime::Docker),
            ("cri-containerd-", Runtime::Containerd),
            ("nerdctl-", Runtime::Containerd),
            ("crio-", Runtime::CriO),
            ("libpod-", Runtime::Podman),
        ];
        return SCOPES
            .iter()
            .find_map(|(prefix, rt)| stem.strip_prefix(prefix).and_then(|id| hex(*rt, id)));
    }
    // The cgroupfs driver names the directory after the id.
    if is_hex_id(last) {
        if parent.rsplit('/').next() == Some("docker") {
            return hex(Runtime::Docker, last);
        }
        if parent.split('/').any(|c| c.starts_with("kubepods")) {
            return hex(Runtime::Containerd, last);
        }
        return None;
    }
    if let Some(id) = last.strip_prefix("libpod-") {
        return hex(Runtime::Podman, id);
    }
    if let Some(id) = last.strip_prefix("crio-") {
        return hex(Runtime::CriO, id);
    }
    if last.len() > ".service".len()
        && last.ends_with(".service")
        && path.starts_with("/system.slice/")
    {
        return Some(ContainerId {
            runtime: Runtime::Systemd,
            id: last.to_string(),
        });
    }
    None
}

/// cgroup v1 (one hierarchy per controller) or v2 (one unified hierarchy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    V1,
    V2,
}

/// The v1 hierarchies we read. `Systemd` is the controller-less `name=systemd` hierarchy,
/// where systemd places every unit even when no accounting is enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Controller {
    Pids,
    Cpuacct,
    Memory,
    Systemd,
    Freezer,
    Blkio,
    /// The cpu controller (CFS quota and its throttling statistics).
    Cpu,
}

impl Controller {
    /// In the order pids are looked up: the pids hierarchy is the one most often present.
    const ALL: [Controller; 7] = [
        Controller::Pids,
        Controller::Cpuacct,
        Controller::Memory,
        Controller::Systemd,
        Controller::Freezer,
        Controller::Blkio,
        Controller::Cpu,
    ];

    /// Directory names under the cgroup root; co-mounted controllers get a joined name
    /// (`cpu,cpuacct`) and distributions add symlinks, which we also accept.
    fn dir_names(self) -> &'static [&'static str] {
        match self {
            Controller::Pids => &["pids"],
            Controller::Cpuacct => &["cpuacct", "cpu,cpuacct", "cpuacct,cpu"],
            Controller::Memory => &["memory"],
            Controller::Systemd => &["systemd"],
            Controller::Freezer => &["freezer"],
            Controller::Blkio => &["blkio"],
            Controller::Cpu => &["cpu", "cpu,cpuacct", "cpuacct,cpu"],
        }
    }
}

/// Deeper than any runtime nests containers (kubepods with the systemd driver is 4 levels);
/// it bounds the walk on pathological trees.
const MAX_DEPTH: usize = 12;

/// Memory of one cgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Usage minus inactive file cache (the working set `docker stats` shows).
    pub working_set_bytes: u64,
    /// The effective limit, counting limits set on ancestors; `None` when unlimited.
    pub limit_bytes: Option<u64>,
}

/// CFS bandwidth control of one cgroup (`cpu.stat`): enforcement periods, the periods in
/// which the cgroup used up its quota and was throttled, and the time it was throttled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttling {
    pub periods: u64,
    pub throttled_periods: u64,
    pub throttled_seconds: f64,
}

/// A mounted cgroup tree: where each controller lives.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    version: Version,
    /// v2: the single root. v1: one root per controller found.
    dirs: BTreeMap<Controller, PathBuf>,
}

impl Hierarchy {
    /// Find the hierarchy under `root` (normally `/sys/fs/cgroup`). v2 is recognised by
    /// `cgroup.controllers` at the root; in hybrid mode (v2 mounted at `unified/`) the
    /// controllers are still v1.
    pub fn detect(root: &Path) -> io::Result<Hierarchy> {
        let mut dirs = BTreeMap::new();
        if root.join("cgroup.controllers").is_file() {
            for c in Controller::ALL {
                if c != Controller::Systemd {
                    dirs.insert(c, root.to_path_buf());
                }
            }
            return Ok(Hierarchy {
                version: Version::V2,
                dirs,
            });
        }
        for c in Controller::ALL {
            let found = c
                .dir_names()
                .iter()
                .map(|name| root.join(name))
                .find(|dir| dir.join("cgroup.procs").is_file());
            if let Some(dir) = found {
                dirs.insert(c, dir);
            }
        }
        if dirs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no cgroup v1 or v2 hierarchy under {}", root.display()),
            ));
        }
        Ok(Hierarchy {
            version: Version::V1,
            dirs,
        })
    }

    pub fn version(&self) -> Version {
        self.version
    }

    fn dir(&self, c: Controller, path: &str) -> Option<PathBuf> {
        self.dirs
            .get(&c)
            .map(|root| root.join(path.trim_start_matches('/')))
    }

    /// Every container cgroup, sorted by path. A container's own sub-cgroups are not
    /// searched: nested runtimes (Docker in Docker) are accounted to the outer container.
    pub fn discover(&self) -> io::Result<Vec<Cgroup>> {
        let mut found = BTreeMap::new();
        let mut walked_any = false;
        let mut last_err = None;
        let mut roots: Vec<&PathBuf> = self.dirs.values().collect();
        roots.sort();
        roots.dedup();
        for root in roots {
            match std::fs::read_dir(root) {
                Ok(entries) => {
                    walked_any = true;
                    walk(entries, &mut String::new(), 0, &mut found);
                }
                Err(e) => last_err = Some(e),
            }
        }
        match (walked_any, last_err) {
            (false, Some(e)) => Err(e),
            _ => Ok(found
                .into_iter()
                .map(|(path, id)| Cgroup { id, path })
                .collect()),
        }
    }

    /// The processes in a cgroup and its descendants, sorted. `NotFound` when the cgroup
    /// no longer exists.
    pub fn pids(&self, path: &str) -> io::Result<Vec<u32>> {
        let dir = Controller::ALL
            .iter()
            .filter_map(|c| self.dir(*c, path))
            .find(|d| d.join("cgroup.procs").is_file())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "cgroup is gone"))?;
        let mut pids = Vec::new();
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            match read_opt(&dir.join("cgroup.procs"))? {
                Some(text) => pids.extend(
                    text.split_whitespace()
                        .filter_map(|p| p.parse::<u32>().ok()),
                ),
                None => continue,
            }
            if let Ok(entries) = std::fs::read_dir(&dir) {
                stack.extend(
                    entries
                        .filter_map(|e| e.ok())
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .map(|e| e.path()),
                );
            }
        }
        pids.sort_unstable();
        pids.dedup();
        Ok(pids)
    }

    /// Whether the cgroup is frozen (`docker pause`): v1 freezer `FROZEN` (or on its way),
    /// v2 `frozen 1` in `cgroup.events`, or `cgroup.freeze` on kernels without that key.
    pub fn frozen(&self, path: &str) -> io::Result<bool> {
        let Some(dir) = self.dir(Controller::Freezer, path) else {
            return Ok(false);
        };
        match self.version {
            Version::V1 => Ok(read_opt(&dir.join("freezer.state"))?
                .is_some_and(|s| matches!(s.trim(), "FROZEN" | "FREEZING"))),
            Version::V2 => {
                if let Some(events) = read_opt(&dir.join("cgroup.events"))?
                    && let Some(frozen) = keyed(&events, "frozen")
                {
                    return Ok(frozen == 1);
                }
                Ok(read_opt(&dir.join("cgroup.freeze"))?.is_some_and(|s| s.trim() == "1"))
            }
        }
    }

    /// CPU time used, in seconds. `None` when the controller or cgroup is absent.
    pub fn cpu_seconds(&self, path: &str) -> io::Result<Option<f64>> {
        let Some(dir) = self.dir(Controller::Cpuacct, path) else {
            return Ok(None);
        };
        match self.version {
            Version::V1 => read_opt(&dir.join("cpuacct.usage"))?
                .map(|t| parse_u64(&t).map(|ns| ns as f64 / 1e9))
                .transpose(),
            Version::V2 => Ok(read_opt(&dir.join("cpu.stat"))?
                .and_then(|t| keyed(&t, "usage_usec"))
                .map(|us| us as f64 / 1e6)),
        }
    }

    /// Memory working set and effective limit. `None` when the controller or cgroup is absent.
    pub fn memory(&self, path: &str) -> io::Result<Option<Memory>> {
        let Some(dir) = self.dir(Controller::Memory, path) else {
            return Ok(None);
        };
        let (usage_file, inactive_keys): (&str, &[&str]) = match self.version {
            Version::V1 => (
                "memory.usage_in_bytes",
                &["total_inactive_file", "inactive_file"],
            ),
            Version::V2 => ("memory.current", &["inactive_file"]),
        };
        let Some(usage) = read_opt(&dir.join(usage_file))? else {
            return Ok(None);
        };
        let usage = parse_u64(&usage)?;
        let stat = read_opt(&dir.join("memory.stat"))?.unwrap_or_default();
        let inactive = inactive_keys.iter().find_map(|k| keyed(&stat, k));
        // As docker does: subtract the cache only when it is smaller than the usage.
        let working_set_bytes = match inactive {
            Some(i) if i < usage => usage - i,
            _ => usage,
        };
        let limit_bytes = match self.version {
            Version::V1 => {
                let own = read_opt(&dir.join("memory.limit_in_bytes"))?
                    .map(|t| parse_u64(&t))
                    .transpose()?;
                let inherited = keyed(&stat, "hierarchical_memory_limit");
                [own, inherited]
                    .into_iter()
                    .flatten()
                    .min()
                    .filter(|l| *l < V1_UNLIMITED)
            }
            Version::V2 => self.v2_limit(path)?,
        };
        Ok(Some(Memory {
            working_set_bytes,
            limit_bytes,
        }))
    }

    /// v2 has no hierarchical limit file: the smallest `memory.max` on the way to the root.
    fn v2_limit(&self, path: &str) -> io::Result<Option<u64>> {
        let mut limit: Option<u64> = None;
        let mut p = path.trim_end_matches('/');
        while !p.is_empty() {
            if let Some(dir) = self.dir(Controller::Memory, p)
                && let Some(text) = read_opt(&dir.join("memory.max"))?
                && let Some(v) = parse_limit(&text)?
            {
                limit = Some(limit.map_or(v, |l| l.min(v)));
            }
            p = p.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
        Ok(limit)
    }

    /// CPU throttling (`cpu.stat`: v1 `throttled_time` in ns, v2 `throttled_usec`). `None`
    /// when the controller or cgroup is absent.
    pub fn throttling(&self, path: &str) -> io::Result<Option<Throttling>> {
        let Some(dir) = self.dir(Controller::Cpu, path) else {
            return Ok(None);
        };
        let Some(stat) = read_opt(&dir.join("cpu.stat"))? else {
            return Ok(None);
        };
        let throttled_seconds = match self.version {
            Version::V1 => keyed(&stat, "throttled_time").map(|ns| ns as f64 / 1e9),
            Version::V2 => keyed(&stat, "throttled_usec").map(|us| us as f64 / 1e6),
        };
        Ok(keyed(&stat, "nr_periods")
            .zip(keyed(&stat, "nr_throttled"))
            .zip(throttled_seconds)
            .map(
                |((periods, throttled_periods), throttled_seconds)| Throttling {
                    periods,
                    throttled_periods,
                    throttled_seconds,
                },
            ))
    }

    /// Processes the OOM killer killed in the cgroup (v1 `memory.oom_control`, Linux 4.13+;
    /// v2 `memory.events`). `None` when not reported.
    pub fn oom_kills(&self, path: &str) -> io::Result<Option<u64>> {
        let Some(dir) = self.dir(Controller::Memory, path) else {
            return Ok(None);
        };
        let file = match self.version {
            Version::V1 => "memory.oom_control",
            Version::V2 => "memory.events",
        };
        Ok(read_opt(&dir.join(file))?.and_then(|t| keyed(&t, "oom_kill")))
    }

    /// Bytes read from and written to block devices. `None` when no source has data.
    pub fn io_bytes(&self, path: &str) -> io::Result<Option<(u64, u64)>> {
        let Some(dir) = self.dir(Controller::Blkio, path) else {
            return Ok(None);
        };
        match self.version {
            // The throttle files count every bio whatever the I/O scheduler; the others
            // only fill in under CFQ/BFQ. Prefer recursive files: processes may sit in
            // sub-cgroups.
            Version::V1 => {
                // A file with only its `Total 0` line is accounting that counted nothing
                // yet: zero, when no other file has per-device numbers.
                let mut counted_nothing = false;
                for file in [
                    "blkio.throttle.io_service_bytes_recursive",
                    "blkio.throttle.io_service_bytes",
                    "blkio.bfq.io_service_bytes_recursive",
                    "blkio.io_service_bytes_recursive",
                    "blkio.io_service_bytes",
                ] {
                    if let Some(text) = read_opt(&dir.join(file))? {
                        if let Some(rw) = parse_blkio(&text) {
                            return Ok(Some(rw));
                        }
                        counted_nothing |= text.lines().any(|l| l.starts_with("Total "));
                    }
                }
                Ok(counted_nothing.then_some((0, 0)))
            }
            Version::V2 => Ok(read_opt(&dir.join("io.stat"))?.map(|t| parse_io_stat(&t))),
        }
    }
}

/// v1 reports "no limit" as the largest page-aligned i64 (9223372036854771712).
const V1_UNLIMITED: u64 = 1 << 62;

fn walk(
    entries: std::fs::ReadDir,
    rel: &mut String,
    depth: usize,
    found: &mut BTreeMap<String, ContainerId>,
) {
    for entry in entries.filter_map(|e| e.ok()) {
        // Not following symlinks keeps the walk inside one hierarchy.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let len = rel.len();
        rel.push('/');
        rel.push_str(name);
        if let Some(id) = identify(rel) {
            found.entry(rel.clone()).or_insert(id);
        } else if depth + 1 < MAX_DEPTH
            // A cgroup removed while we walk is simply not there.
            && let Ok(children) = std::fs::read_dir(entry.path())
        {
            walk(children, rel, depth + 1, found);
        }
        rel.truncate(len);
    }
}

/// Read a cgroup or /proc file; `None` when it does not exist (controller absent, cgroup
/// or process gone: removed cgroups may also answer ENODEV, processes ESRCH).
pub(crate) fn read_opt(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if is_gone(&e) => Ok(None),
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    }
}

/// Errors that mean "the thing went away" rather than "we cannot read it".
pub(crate) fn is_gone(e: &io::Error) -> bool {
    const ESRCH: i32 = 3;
    const ENODEV: i32 = 19;
    e.kind() == io::ErrorKind::NotFound || matches!(e.raw_os_error(), Some(ESRCH | ENODEV))
}

fn parse_u64(text: &str) -> io::Result<u64> {
    text.trim().parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("expected an integer, got {:?}: {e}", text.trim()),
        )
    })
}

/// `max` or a byte count.
fn parse_limit(text: &str) -> io::Result<Option<u64>> {
    match text.trim() {
        "max" => Ok(None),
        t => parse_u64(t).map(Some),
    }
}

/// The value of `key` in a flat-keyed file (`memory.stat`, `cpu.stat`, `cgroup.events`).
fn keyed(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok())?
    })
}

/// v1 blkio: `8:0 Read 4096` lines summed over devices; `None` when there is no data line
/// (the file exists but the scheduler does not fill it).
fn parse_blkio(text: &str) -> Option<(u64, u64)> {
    let mut any = false;
    let (mut read, mut write) = (0u64, 0u64);
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let (Some(_dev), Some(op), Some(v), None) = (f.next(), f.next(), f.next(), f.next()) else {
            continue;
        };
        let Ok(v) = v.parse::<u64>() else { continue };
        any = true;
        match op {
            "Read" => read = read.saturating_add(v),
            "Write" => write = write.saturating_add(v),
            _ => {}
        }
    }
    any.then_some((read, write))
}

/// v2 `io.stat`: `8:0 rbytes=… wbytes=… rios=…` per device, summed.
fn parse_io_stat(text: &str) -> (u64, u64) {
    let (mut read, mut write) = (0u64, 0u64);
    for field in text.split_whitespace() {
        if let Some((k, v)) = field.split_once('=')
            && let Ok(v) = v.parse::<u64>()
        {
            match k {
                "rbytes" => read = read.saturating_add(v),
                "wbytes" => write = write.saturating_add(v),
                _ => {}
            }
        }
    }
    (read, write)
}

/// The processes of the one container matching `query` under the cgroup root `root`: an
/// id or unique id prefix (`3f1c`), a short id, a systemd unit (`nginx.service` or
/// `nginx`), or a runtime's container name (`web-1`). Exact matches win over prefixes.
pub fn pids_of(root: &Path, query: &str) -> Result<(Cgroup, Vec<u32>)> {
    if query.is_empty() {
        return Err(Error::invalid(
            "container",
            query,
            "a container id, id prefix or name",
        ));
    }
    let hierarchy = Hierarchy::detect(root)
        .map_err(|e| Error::io(format!("reading cgroups under {}", root.display()), e))?;
    let cgroups = hierarchy
        .discover()
        .map_err(|e| Error::io(format!("reading cgroups under {}", root.display()), e))?;
    let mut names = super::names::Names::default();
    let unit = |c: &Cgroup| {
        (c.id.runtime == Runtime::Systemd).then(|| c.id.id.trim_end_matches(".service").to_string())
    };
    let candidates: Vec<(Cgroup, Option<String>)> = cgroups
        .into_iter()
        .map(|c| {
            let name = names.get(&c.id).or_else(|| unit(&c));
            (c, name)
        })
        .collect();
    let exact: Vec<&(Cgroup, Option<String>)> = candidates
        .iter()
        .filter(|(c, name)| {
            c.id.id == query || c.id.short() == query || name.as_deref() == Some(query)
        })
        .collect();
    let chosen = if exact.is_empty() {
        candidates
            .iter()
            .filter(|(c, name)| {
                c.id.id.starts_with(query) || name.as_deref().is_some_and(|n| n.starts_with(query))
            })
            .collect()
    } else {
        exact
    };
    match chosen.as_slice() {
        [] => match names.docker_not_running(query) {
            // Docker keeps a stopped container's state but removes its cgroup.
            Some((id, name)) => Err(Error::NotFound(format!(
                "docker container {} ({}) is not running",
                crate::error::quote(&name),
                id.chars().take(12).collect::<String>()
            ))),
            None => Err(Error::Usage(format!(
                "no container matches {} under {}",
                crate::error::quote(query),
                root.display()
            ))),
        },
        [(cgroup, _)] => {
            let pids = hierarchy
                .pids(&cgroup.path)
                .map_err(|e| Error::io(format!("listing processes of {}", cgroup.path), e))?;
            Ok((cgroup.clone(), pids))
        }
        many => Err(Error::Usage(format!(
            "{} matches {} containers: {}",
            crate::error::quote(query),
            many.len(),
            many.iter()
                .map(|(c, _)| format!("{} ({})", c.id.short(), c.id.runtime.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::fs;

    pub(crate) const ID_A: &str =
        "3f1c9e2a7b4d5c6e8f9012345678901234567890abcdef0123456789abcdef01";
    pub(crate) const ID_B: &str =
        "b0b1b2b3b4b5b6b7b8b9c0c1c2c3c4c5c6c7c8c9d0d1d2d3d4d5d6d7d8d9e0e1";
    pub(crate) const ID_C: &str =
        "c0ffee00000000000000000000000000000000000000000000000000000000cc";
    pub(crate) const ID_D: &str =
        "d00d00000000000000000000000000000000000000000000000000000000000d";

    pub(crate) fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A v1 tree: Docker (running, with a limit and blkio), Docker paused, a Kubernetes
    /// container with no processes, a systemd service, and the sandbox's own
    /// `/process_api/<32hex>` group, which is no container.
    pub(crate) fn v1_tree(root: &Path) {
        for c in ["cpuacct", "memory", "blkio", "freezer", "pids", "systemd"] {
            write(&root.join(c).join("cgroup.procs"), "1\n");
        }
        let a = format!("docker/{ID_A}");
        write(
            &root.join("cpuacct").join(&a).join("cpuacct.usage"),
            "2500000000\n",
        );
        write(
            &root.join("cpuacct").join(&a).join("cgroup.procs"),
            "4242\n4243\n",
        );
        write(
            &root.join("pids").join(&a).join("cgroup.procs"),
            "4242\n4243\n",
        );
        write(
            &root.join("memory").join(&a).join("cgroup.procs"),
            "4242\n4243\n",
        );
        write(
            &root.join("memory").join(&a).join("memory.usage_in_bytes"),
            "104857600\n",
        );
        write(
            &root.join("memory").join(&a).join("memory.limit_in_bytes"),
            "209715200\n",
        );
        write(
            &root.join("memory").join(&a).join("memory.stat"),
            "cache 8388608\ninactive_file 1\ntotal_inactive_file 4194304\nhierarchical_memory_limit 9223372036854771712\n",
        );
        write(
            &root
                .join("blkio")
                .join(&a)
                .join("blkio.throttle.io_service_bytes"),
            "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Total 12288\n8:16 Read 1\n8:16 Write 2\nTotal 12291\n",
        );
        write(
            &root.join("freezer").join(&a).join("freezer.state"),
            "THAWED\n",
        );

        let b = format!("docker/{ID_B}");
        write(
            &root.join("cpuacct").join(&b).join("cpuacct.usage"),
            "1000000\n",
        );
        write(
            &root.join("freezer").join(&b).join("freezer.state"),
            "FROZEN\n",
        );
        write(
            &root.join("freezer").join(&b).join("cgroup.procs"),
            "5000\n",
        );
        write(
            &root.join("memory").join(&b).join("memory.usage_in_bytes"),
            "4096\n",
        );
        write(
            &root.join("memory").join(&b).join("memory.stat"),
            "total_inactive_file 8192\nhierarchical_memory_limit 9223372036854771712\n",
        );
        write(
            &root.join("memory").join(&b).join("memory.limit_in_bytes"),
            "9223372036854771712\n",
        );

        let c = format!("kubepods/burstable/pod0b7e/{ID_C}");
        write(&root.join("cpuacct").join(&c).join("cpuacct.usage"), "0\n");
        write(&root.join("cpuacct").join(&c).join("cgroup.procs"), "");

        let svc = "system.slice/nginx.service";
        write(
            &root.join("systemd").join(svc).join("cgroup.procs"),
            "777\n",
        );
        write(
            &root.join("cpuacct").join(svc).join("cgroup.procs"),
            "777\n",
        );
        write(
            &root.join("cpuacct").join(svc).join("cpuacct.usage"),
            "42000000000\n",
        );

        write(
            &root
                .join("memory/process_api/20117638353ba292907a28d90c189d8c")
                .join("cgroup.procs"),
            "1\n",
        );
    }

    /// A v2 tree: Docker scope under a 1 GiB system.slice limit, a frozen Podman scope whose
    /// processes sit in a child, a containerd scope under kubepods, a service, a user scope.
    pub(crate) fn v2_tree(root: &Path) {
        write(
            &root.join("cgroup.controllers"),
            "cpuset cpu io memory pids\n",
        );
        write(&root.join("cgroup.procs"), "1\n");
        write(&root.join("system.slice/memory.max"), "1073741824\n");
        let d = root.join(format!("system.slice/docker-{ID_A}.scope"));
        write(&d.join("cgroup.procs"), "4242\n");
        write(&d.join("cgroup.events"), "populated 1\nfrozen 0\n");
        write(
            &d.join("cpu.stat"),
            "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n",
        );
        write(&d.join("memory.current"), "52428800\n");
        write(
            &d.join("memory.stat"),
            "anon 40000000\nfile 12428800\ninactive_file 2428800\n",
        );
        write(&d.join("memory.max"), "max\n");
        write(
            &d.join("io.stat"),
            "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n253:0 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n",
        );
        let p = root.join(format!("machine.slice/libpod-{ID_B}.scope"));
        write(&p.join("cgroup.procs"), "");
        write(&p.join("container/cgroup.procs"), "6000\n6001\n");
        write(&p.join("cgroup.freeze"), "1\n");
        write(&p.join("cpu.stat"), "usage_usec 10\n");
        write(
            &root.join(format!(
                "machine.slice/libpod-conmon-{ID_B}.scope/cgroup.procs"
            )),
            "5999\n",
        );
        let k = root.join(format!(
            "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-{ID_C}.scope"
        ));
        write(&k.join("cgroup.procs"), "7000\n");
        write(&k.join("cpu.stat"), "usage_usec 2000000\n");
        write(&k.join("memory.current"), "1000\n");
        write(&k.join("memory.max"), "2000\n");
        write(&root.join("system.slice/cron.service/cgroup.procs"), "");
        write(
            &root.join("user.slice/user-1000.slice/session-1.scope/cgroup.procs"),
            "900\n",
        );
    }

    #[test]
    fn identify_recognises_runtimes() {
        let cases = [
            (format!("/docker/{ID_A}"), Some((Runtime::Docker, ID_A))),
            (
                format!("/system.slice/docker-{ID_A}.scope"),
                Some((Runtime::Docker, ID_A)),
            ),
            (
                format!("/kubepods/besteffort/pod12/{ID_A}"),
                Some((Runtime::Containerd, ID_A)),
            ),
            (
                format!("/kubepods.slice/kubepods-pod1.slice/cri-containerd-{ID_A}.scope"),
                Some((Runtime::Containerd, ID_A)),
            ),
            (
                format!("/kubepods/burstable/pod1/crio-{ID_A}"),
                Some((Runtime::CriO, ID_A)),
            ),
            (
                format!("/machine.slice/libpod-{ID_A}.scope"),
                Some((Runtime::Podman, ID_A)),
            ),
            (
                format!("/libpod_parent/libpod-{ID_A}"),
                Some((Runtime::Podman, ID_A)),
            ),
            (
                "/system.slice/nginx.service".to_string(),
                Some((Runtime::Systemd, "nginx.service")),
            ),
            (
                "/system.slice/system-getty.slice/getty@tty1.service".to_string(),
                Some((Runtime::Systemd, "getty@tty1.service")),
            ),
            (format!("/machine.slice/libpod-conmon-{ID_A}.scope"), None),
            (format!("/{ID_A}"), None),
            (format!("/docker/{}", &ID_A[..63]), None),
            (format!("/docker/{}", ID_A.to_uppercase()), None),
            (
                "/process_api/20117638353ba292907a28d90c189d8c".to_string(),
                None,
            ),
            (
                "/user.slice/user-1000.slice/user@1000.service".to_string(),
                None,
            ),
            ("/system.slice".to_string(), None),
            ("/system.slice/.service".to_string(), None),
            ("/".to_string(), None),
            (String::new(), None),
        ];
        for (path, want) in cases {
            let got = identify(&path);
            let want = want.map(|(runtime, id)| ContainerId {
                runtime,
                id: id.to_string(),
            });
            assert_eq!(got, want, "{path}");
        }
    }

    #[test]
    fn short_ids() {
        let docker = identify(&format!("/docker/{ID_A}")).unwrap();
        assert_eq!(docker.short(), "3f1c9e2a7b4d");
        let unit = identify("/system.slice/a.service").unwrap();
        assert_eq!(unit.short(), "a.service");
    }

    #[test]
    fn v1_discovery_and_reading() {
        let dir = tempfile::tempdir().unwrap();
        v1_tree(dir.path());
        let h = Hierarchy::detect(dir.path()).unwrap();
        assert_eq!(h.version(), Version::V1);
        let found = h.discover().unwrap();
        let ids: Vec<(&str, Runtime)> =
            found.iter().map(|c| (c.id.short(), c.id.runtime)).collect();
        assert_eq!(
            ids,
            [
                ("3f1c9e2a7b4d", Runtime::Docker),
                ("b0b1b2b3b4b5", Runtime::Docker),
                ("c0ffee000000", Runtime::Containerd),
                ("nginx.service", Runtime::Systemd),
            ]
        );
        let a = format!("/docker/{ID_A}");
        assert_eq!(h.pids(&a).unwrap(), [4242, 4243]);
        assert_eq!(h.cpu_seconds(&a).unwrap(), Some(2.5));
        assert_eq!(
            h.memory(&a).unwrap(),
            Some(Memory {
                working_set_bytes: 104857600 - 4194304,
                limit_bytes: Some(209715200),
            })
        );
        assert_eq!(h.io_bytes(&a).unwrap(), Some((4097, 8194)));
        assert!(!h.frozen(&a).unwrap());

        let b = format!("/docker/{ID_B}");
        assert!(h.frozen(&b).unwrap());
        assert_eq!(h.pids(&b).unwrap(), [5000]);
        // Inactive cache larger than usage: usage is kept; the huge v1 limit means none.
        assert_eq!(
            h.memory(&b).unwrap(),
            Some(Memory {
                working_set_bytes: 4096,
                limit_bytes: None,
            })
        );
        assert_eq!(h.io_bytes(&b).unwrap(), None);

        let c = format!("/kubepods/burstable/pod0b7e/{ID_C}");
        assert!(h.pids(&c).unwrap().is_empty());
        assert_eq!(h.memory(&c).unwrap(), None);
        assert!(h.pids("/docker/gone").unwrap_err().kind() == io::ErrorKind::NotFound);
    }

    #[test]
    fn v2_discovery_and_reading() {
        let dir = tempfile::tempdir().unwrap();
        v2_tree(dir.path());
        let h = Hierarchy::detect(dir.path()).unwrap();
        assert_eq!(h.version(), Version::V2);
        let found = h.discover().unwrap();
        let ids: Vec<(&str, Runtime)> =
            found.iter().map(|c| (c.id.short(), c.id.runtime)).collect();
        assert_eq!(
            ids,
            [
                ("c0ffee000000", Runtime::Containerd),
                ("b0b1b2b3b4b5", Runtime::Podman),
                ("cron.service", Runtime::Systemd),
                ("3f1c9e2a7b4d", Runtime::Docker),
            ]
        );
        let d = format!("/system.slice/docker-{ID_A}.scope");
        assert_eq!(h.cpu_seconds(&d).unwrap(), Some(1.5));
        assert_eq!(
            h.memory(&d).unwrap(),
            Some(Memory {
                working_set_bytes: 50_000_000,
                limit_bytes: Some(1 << 30),
            })
        );
        assert_eq!(h.io_bytes(&d).unwrap(), Some((101, 202)));
        assert!(!h.frozen(&d).unwrap());
        let p = format!("/machine.slice/libpod-{ID_B}.scope");
        assert!(h.frozen(&p).unwrap());
        assert_eq!(h.pids(&p).unwrap(), [6000, 6001]);
        let k = &found[0].path;
        assert_eq!(h.memory(k).unwrap().unwrap().limit_bytes, Some(2000));
    }

    #[test]
    fn detect_fails_without_hierarchy() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Hierarchy::detect(dir.path()).is_err());
        assert!(Hierarchy::detect(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn bad_numbers_are_errors_not_zeroes() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("cpuacct/cgroup.procs"), "");
        write(
            &dir.path()
                .join(format!("cpuacct/docker/{ID_A}/cpuacct.usage")),
            "garbage\n",
        );
        let h = Hierarchy::detect(dir.path()).unwrap();
        let err = h.cpu_seconds(&format!("/docker/{ID_A}")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn parsers() {
        assert_eq!(parse_blkio("Total 0\n"), None);
        assert_eq!(parse_blkio(""), None);
        assert_eq!(parse_blkio("8:0 Read 5\n8:0 Write 7\n"), Some((5, 7)));
        assert_eq!(parse_io_stat(""), (0, 0));
        assert_eq!(parse_limit("max\n").unwrap(), None);
        assert_eq!(parse_limit("12\n").unwrap(), Some(12));
        assert!(parse_limit("x").is_err());
        assert_eq!(keyed("a 1\nab 2\n", "ab"), Some(2));
        assert_eq!(keyed("a 1\n", "b"), None);
    }

    #[test]
    fn pids_of_matches_ids_names_and_units() {
        let dir = tempfile::tempdir().unwrap();
        v1_tree(dir.path());
        let (cg, pids) = pids_of(dir.path(), "3f1c").unwrap();
        assert_eq!(cg.id.id, ID_A);
        assert_eq!(pids, [4242, 4243]);
        let (cg, _) = pids_of(dir.path(), "3f1c9e2a7b4d").unwrap();
        assert_eq!(cg.id.id, ID_A);
        let (cg, pids) = pids_of(dir.path(), "nginx").unwrap();
        assert_eq!(cg.id.id, "nginx.service");
        assert_eq!(pids, [777]);
        let (cg, _) = pids_of(dir.path(), "nginx.service").unwrap();
        assert_eq!(cg.id.runtime, Runtime::Systemd);
        assert!(pids_of(dir.path(), "ffff").is_err());
        assert!(pids_of(dir.path(), "").is_err());
        // `b` prefixes ID_B only; `c` prefixes ID_C only; add an ambiguous pair.
        write(
            &dir.path().join(format!("pids/docker/{ID_D}/cgroup.procs")),
            "1\n",
        );
        write(
            &dir.path().join("pids/docker/d000000000000000000000000000000000000000000000000000000000000000/cgroup.procs"),
            "2\n",
        );
        let err = pids_of(dir.path(), "d00").unwrap_err().to_string();
        assert!(err.contains("matches 2 containers"), "{err}");
    }
}
