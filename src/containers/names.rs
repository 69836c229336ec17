//! Human container names from the runtimes' on-disk state (Docker, Podman/CRI-O, containerd).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use crate::containers::cgroup::{ContainerId, Runtime};
use crate::model::input::{self, Input};

/// Where the runtimes keep their state.
#[derive(Debug, Clone)]
pub(crate) struct Roots {
    /// Docker's data root: `containers/<id>/config.v2.json`.
    pub docker: PathBuf,
    /// containers/storage (Podman, CRI-O): `<driver>-containers/containers.json`.
    pub storage: PathBuf,
    /// containerd's task state: `<namespace>/<id>/config.json` (the OCI spec).
    pub containerd_tasks: PathBuf,
}

impl Default for Roots {
    fn default() -> Self {
        Roots {
            docker: docker_root(Path::new(DOCKER_DAEMON_JSON)),
            storage: "/var/lib/containers/storage".into(),
            containerd_tasks: "/run/containerd/io.containerd.runtime.v2.task".into(),
        }
    }
}

/// Docker's configuration, which may move its data root (`"data-root"`).
const DOCKER_DAEMON_JSON: &str = "/etc/docker/daemon.json";
/// Larger files are not Docker's configuration.
const MAX_DAEMON_JSON: u64 = 1024 * 1024;

/// Docker's data root: `data-root` from `daemon.json` when set there, else the default.
fn docker_root(daemon_json: &Path) -> PathBuf {
    #[derive(Deserialize)]
    struct Daemon {
        #[serde(rename = "data-root")]
        data_root: Option<PathBuf>,
    }
    std::fs::File::open(daemon_json)
        .ok()
        .and_then(|f| {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_DAEMON_JSON + 1), &mut text)
                .ok()?;
            (text.len() as u64 <= MAX_DAEMON_JSON).then_some(text)
        })
        .and_then(|text| {
            input::json::<Daemon>(&text, Input::CONTAINER_RUNTIME)
                .ok()?
                .data_root
        })
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| "/var/lib/docker".into())
}

/// Docker containers looked at at most when explaining a miss.
const MAX_STOPPED_SCAN: usize = 10_000;

/// OCI annotations that carry a name: Kubernetes containers, pod sandboxes, nerdctl.
const NAME_ANNOTATIONS: [&str; 3] = [
    "io.kubernetes.cri.container-name",
    "io.kubernetes.cri.sandbox-name",
    "nerdctl/name",
];

const STORAGE_DRIVERS: [&str; 4] = ["overlay", "vfs", "btrfs", "zfs"];

struct Cached {
    source: PathBuf,
    modified: Option<SystemTime>,
    name: Option<String>,
}

/// What Docker's state file (`config.v2.json`) says about a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DockerState {
    pub name: String,
    pub running: bool,
    pub paused: bool,
    /// Restarts by Docker's restart policy (`RestartCount`).
    pub restarts: u64,
}

/// A name cache: each runtime file is parsed again only when it changes (`docker rename`).
#[derive(Default)]
pub(crate) struct Names {
    roots: Roots,
    by_id: HashMap<ContainerId, Cached>,
    /// Docker's containers by id, with the modification time of the state they came from.
    docker: HashMap<String, (Option<SystemTime>, DockerState)>,
    /// containers.json holds every Podman/CRI-O container; parsed once per change.
    storage: Option<(PathBuf, Option<SystemTime>, HashMap<String, String>)>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Names {
    #[cfg(test)]
    pub(crate) fn with_roots(roots: Roots) -> Names {
        Names {
            roots,
            ..Names::default()
        }
    }

    /// Names from Docker's state under `docker` instead of the host's data root (`None`:
    /// the host's); the workload log reader's configurable root.
    pub(crate) fn with_docker_root(docker: Option<PathBuf>) -> Names {
        let mut roots = Roots::default();
        if let Some(d) = docker {
            roots.docker = d;
        }
        Names {
            roots,
            ..Names::default()
        }
    }

    /// Docker's data root these names come from.
    pub(crate) fn docker_root(&self) -> &Path {
        &self.roots.docker
    }

    /// The name of a container, when its runtime's state is readable here.
    pub(crate) fn get(&mut self, id: &ContainerId) -> Option<String> {
        match id.runtime {
            Runtime::Docker | Runtime::Containerd => {
                if let Some(c) = self.by_id.get(id)
                    && modified(&c.source) == c.modified
                {
                    return c.name.clone();
                }
                let (source, name) = if id.runtime == Runtime::Docker {
                    let source = self
                        .roots
                        .docker
                        .join("containers")
                        .join(&id.id)
                        .join("config.v2.json");
                    let name = docker_name(&source);
                    (source, name)
                } else {
                    containerd_name(&self.roots.containerd_tasks, &id.id)
                };
                let name = name.filter(|n| !n.is_empty());
                self.by_id.insert(
                    id.clone(),
                    Cached {
                        modified: modified(&source),
                        source,
                        name: name.clone(),
                    },
                );
                name
            }
            Runtime::Podman | Runtime::CriO => self.storage_name(&id.id),
            Runtime::Systemd | Runtime::Process => None,
        }
    }

    /// Forget containers that are gone.
    pub(crate) fn retain(&mut self, live: &HashSet<ContainerId>) {
        self.by_id.retain(|id, _| live.contains(id));
    }

    /// Every container in Docker's state (running, paused and stopped ones, which have no
    /// cgroup), by id. Each state file is parsed again only when it changes; at most
    /// 10 000 containers are looked at.
    pub(crate) fn docker_states(&mut self) -> &HashMap<String, (Option<SystemTime>, DockerState)> {
        let mut live = HashSet::new();
        if let Ok(dir) = std::fs::read_dir(self.roots.docker.join("containers")) {
            for e in dir.filter_map(|e| e.ok()).take(MAX_STOPPED_SCAN) {
                let Some(id) = e.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                    continue;
                }
                let source = e.path().join("config.v2.json");
                let stamp = modified(&source);
                let fresh = self.docker.get(&id).is_some_and(|(m, _)| *m == stamp);
                if !fresh {
                    match docker_state(&source) {
                        Some(state) => {
                            self.docker.insert(id.clone(), (stamp, state));
                        }
                        None => continue,
                    }
                }
                live.insert(id);
            }
        }
        self.docker.retain(|id, _| live.contains(id));
        &self.docker
    }

    /// Docker's restart count of a container seen by [`Names::docker_states`].
    pub(crate) fn docker_restarts(&self, id: &str) -> Option<u64> {
        self.docker.get(id).map(|(_, s)| s.restarts)
    }

    fn storage_name(&mut self, id: &str) -> Option<String> {
        let source = STORAGE_DRIVERS
            .iter()
            .map(|d| {
                self.roots
                    .storage
                    .join(format!("{d}-containers"))
                    .join("containers.json")
            })
            .find(|p| p.is_file())
            .unwrap_or_default();
        let stamp = modified(&source);
        let fresh = self
            .storage
            .as_ref()
            .is_some_and(|(s, m, _)| *s == source && *m == stamp);
        if !fresh {
            self.storage = Some((source.clone(), stamp, storage_names(&source)));
        }
        self.storage
            .as_ref()
            .and_then(|(_, _, names)| names.get(id).cloned())
    }
}

impl Names {
    /// A Docker container that `query` names (its id, an id prefix or its name) and that is
    /// not running, from Docker's state: `(id, name)`. Only for explaining a miss: it reads
    /// every container's configuration.
    pub(crate) fn docker_not_running(&self, query: &str) -> Option<(String, String)> {
        #[derive(Deserialize)]
        struct Config {
            #[serde(rename = "Name", default)]
            name: String,
            #[serde(rename = "State", default)]
            state: State,
        }
        #[derive(Deserialize, Default)]
        struct State {
            #[serde(rename = "Running", default)]
            running: bool,
        }
        let dir = std::fs::read_dir(self.roots.docker.join("containers")).ok()?;
        let mut matches: Vec<(String, String)> = dir
            .filter_map(|e| e.ok())
            .take(MAX_STOPPED_SCAN)
            .filter_map(|e| {
                let id = e.file_name().to_str()?.to_string();
                let text = std::fs::read(e.path().join("config.v2.json")).ok()?;
                let config: Config = input::json(&text, Input::CONTAINER_RUNTIME).ok()?;
                let name = config.name.trim_start_matches('/').to_string();
                (!config.state.running && (id.starts_with(query) || name == query))
                    .then_some((id, name))
            })
            .collect();
        // A name wins over id prefixes; otherwise only an unambiguous prefix counts.
        if let Some(i) = matches.iter().position(|(_, n)| n == query) {
            return Some(matches.swap_remove(i));
        }
        (matches.len() == 1).then(|| matches.remove(0))
    }
}

fn docker_state(config: &Path) -> Option<DockerState> {
    #[derive(Deserialize)]
    struct Config {
        #[serde(rename = "Name", default)]
        name: String,
        #[serde(rename = "State", default)]
        state: State,
        #[serde(rename = "RestartCount", default)]
        restart_count: u64,
    }
    #[derive(Deserialize, Default)]
    struct State {
        #[serde(rename = "Running", default)]
        running: bool,
        #[serde(rename = "Paused", default)]
        paused: bool,
    }
    let text = std::fs::read(config).ok()?;
    let c: Config = input::json(&text, Input::CONTAINER_RUNTIME).ok()?;
    Some(DockerState {
        name: c.name.trim_start_matches('/').to_string(),
        running: c.state.running,
        paused: c.state.paused,
        restarts: c.restart_count,
    })
}

fn docker_name(config: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Config {
        #[serde(rename = "Name")]
        name: String,
    }
    let text = std::fs::read(config).ok()?;
    let config: Config = input::json(&text, Input::CONTAINER_RUNTIME).ok()?;
    Some(config.name.trim_start_matches('/').to_string())
}

fn containerd_name(tasks: &Path, id: &str) -> (PathBuf, Option<String>) {
    #[derive(Deserialize)]
    struct Spec {
        #[serde(default)]
        annotations: BTreeMap<String, String>,
    }
    // Kubernetes' namespace first: it is where almost all containerd containers live.
    let mut namespaces = vec![tasks.join("k8s.io")];
    if let Ok(dir) = std::fs::read_dir(tasks) {
        namespaces.extend(dir.filter_map(|e| e.ok()).map(|e| e.path()));
    }
    let Some(source) = namespaces
        .into_iter()
        .map(|ns| ns.join(id).join("config.json"))
        .find(|p| p.is_file())
    else {
        return (tasks.join("k8s.io").join(id).join("config.json"), None);
    };
    let name = std::fs::read(&source)
        .ok()
        .and_then(|text| input::json::<Spec>(&text, Input::CONTAINER_RUNTIME).ok())
        .and_then(|spec| {
            NAME_ANNOTATIONS
                .iter()
                .find_map(|k| spec.annotations.get(*k).cloned())
        });
    (source, name)
}

fn storage_names(source: &Path) -> HashMap<String, String> {
    #[derive(Deserialize)]
    struct Entry {
        id: String,
        #[serde(default)]
        names: Vec<String>,
    }
    std::fs::read(source)
        .ok()
        .and_then(|text| input::json::<Vec<Entry>>(&text, Input::CONTAINER_RUNTIME).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| e.names.into_iter().next().map(|n| (e.id, n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::cgroup::tests::{ID_A, ID_B, ID_C, ID_D, write};

    fn id(runtime: Runtime, id: &str) -> ContainerId {
        ContainerId {
            runtime,
            id: id.to_string(),
        }
    }

    #[test]
    fn names_from_runtime_state() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots {
            docker: dir.path().join("docker"),
            storage: dir.path().join("storage"),
            containerd_tasks: dir.path().join("tasks"),
        };
        let config = roots
            .docker
            .join("containers")
            .join(ID_A)
            .join("config.v2.json");
        write(
            &config,
            r#"{"ID":"x","Name":"/web-1","State":{"Running":true}}"#,
        );
        write(
            &roots.storage.join("overlay-containers/containers.json"),
            &format!(r#"[{{"id":"{ID_B}","names":["db"],"image":"i"}},{{"id":"x"}}]"#),
        );
        write(
            &roots
                .containerd_tasks
                .join(format!("k8s.io/{ID_C}/config.json")),
            r#"{"ociVersion":"1.1.0","annotations":{"io.kubernetes.cri.container-name":"api","io.kubernetes.cri.sandbox-name":"pod"}}"#,
        );
        let mut names = Names::with_roots(roots);
        assert_eq!(
            names.get(&id(Runtime::Docker, ID_A)).as_deref(),
            Some("web-1")
        );
        assert_eq!(names.get(&id(Runtime::Podman, ID_B)).as_deref(), Some("db"));
        assert_eq!(
            names.get(&id(Runtime::Containerd, ID_C)).as_deref(),
            Some("api")
        );
        assert_eq!(names.get(&id(Runtime::Docker, ID_B)), None);
        assert_eq!(names.get(&id(Runtime::Systemd, "a.service")), None);

        // A rename rewrites the file; the cache notices the new modification time.
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(&config, r#"{"Name":"/web-2"}"#);
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&config)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(
            names.get(&id(Runtime::Docker, ID_A)).as_deref(),
            Some("web-2")
        );

        names.retain(&HashSet::new());
        assert!(names.by_id.is_empty());
    }

    #[test]
    fn stopped_docker_containers_and_the_data_root() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots {
            docker: dir.path().join("docker"),
            storage: dir.path().join("storage"),
            containerd_tasks: dir.path().join("tasks"),
        };
        let config = |id: &str| {
            roots
                .docker
                .join("containers")
                .join(id)
                .join("config.v2.json")
        };
        write(
            &config(ID_A),
            r#"{"Name":"/web-1","State":{"Running":false}}"#,
        );
        write(&config(ID_B), r#"{"Name":"/db","State":{"Running":true}}"#);
        write(&config(ID_C), r#"{"Name":"/web-1x","State":{}}"#);
        let twin = format!("3f1c{}", &ID_D[4..]);
        write(
            &config(&twin),
            r#"{"Name":"/twin","State":{"Running":false}}"#,
        );
        write(
            &roots.docker.join("containers/zz/config.v2.json"),
            "{not json",
        );
        let names = Names::with_roots(roots.clone());
        let a = (ID_A.to_string(), "web-1".to_string());
        assert_eq!(names.docker_not_running("web-1"), Some(a.clone()));
        assert_eq!(names.docker_not_running(&ID_A[..12]), Some(a.clone()));
        assert_eq!(names.docker_not_running(ID_A), Some(a));
        // Running, unknown, or an ambiguous prefix: nothing to say.
        assert_eq!(names.docker_not_running("db"), None);
        assert_eq!(names.docker_not_running("web"), None);
        assert_eq!(names.docker_not_running("3f1c"), None);
        assert_eq!(names.docker_not_running("zz"), None);

        let json = dir.path().join("daemon.json");
        assert_eq!(docker_root(&json), PathBuf::from("/var/lib/docker"));
        write(
            &json,
            r#"{"data-root": "/srv/docker", "log-driver": "json-file"}"#,
        );
        assert_eq!(docker_root(&json), PathBuf::from("/srv/docker"));
        write(&json, r#"{"data-root": "relative"}"#);
        assert_eq!(docker_root(&json), PathBuf::from("/var/lib/docker"));
        write(&json, "{broken");
        assert_eq!(docker_root(&json), PathBuf::from("/var/lib/docker"));
    }
}
