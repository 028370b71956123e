//! Process plumbing for the harness: the open-files limit, CPU time (ours
//! and a server's), memory of a process tree, and a guard that stops a
//! child process tree by PID when dropped — also when the harness panics
//! or returns early, so no benchmark server outlives a run.

use std::path::Path;
use std::process::Child;
use std::time::Duration;

/// Raises this process's soft `RLIMIT_NOFILE` to the hard limit (20,000 on
/// the benchmark machines); children inherit it. Returns the new soft limit.
pub fn raise_nofile() -> u64 {
    // SAFETY: getrlimit/setrlimit only read/write the struct we pass.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        lim.rlim_cur = lim.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
            tracing::warn!("cannot raise RLIMIT_NOFILE");
        }
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur
    }
}

/// User + system CPU time of this process so far (getrusage).
pub fn self_cpu() -> Duration {
    // SAFETY: getrusage fills the struct we pass.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        let tv = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        tv(ru.ru_utime) + tv(ru.ru_stime)
    }
}

/// `/proc/PID/stat` fields after the command name (which may hold spaces
/// and parentheses, hence the split at the last `)`).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// User + system CPU time of a process tree (clock ticks → time).
pub fn tree_cpu(root: u32) -> Duration {
    // SAFETY: sysconf has no memory effects.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    tree_pids(root)
        .into_iter()
        .filter_map(|p| {
            let f = stat_fields(p)?;
            // Fields 14 and 15 of stat are utime, stime; index from field 3.
            let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(Duration::from_secs_f64(ticks / hz))
        })
        .sum()
}

/// `root` and all its descendants.
pub fn tree_pids(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(ppid) = stat_fields(pid).and_then(|f| f.get(1)?.parse::<u32>().ok()) {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parent_of.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// Proportional set size of a process tree in KiB: for one process it is its
/// RSS; for nginx (master + workers sharing Nchan's shared memory) it counts
/// each shared page once, split among the processes, instead of twice.
pub fn tree_pss_kib(root: u32) -> u64 {
    tree_pids(root)
        .into_iter()
        .map(|p| {
            let path = format!("/proc/{p}/smaps_rollup");
            read_kib_field(Path::new(&path), "Pss:")
                .or_else(|| read_kib_field(Path::new(&format!("/proc/{p}/status")), "VmRSS:"))
                .unwrap_or(0)
        })
        .sum()
}

fn read_kib_field(path: &Path, name: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    s.lines()
        .find(|l| l.starts_with(name))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A child process (and whatever it forked) killed by PID on drop.
pub struct ChildGuard {
    pub child: Child,
    pub name: String,
}

impl ChildGuard {
    pub fn new(name: &str, child: Child) -> ChildGuard {
        ChildGuard {
            child,
            name: name.to_string(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // Freeze the root first: an nginx master that sees its workers die
        // spawns new ones (orphans, once the master is gone). Then the
        // descendants, each by its own PID, then the root, which we reap.
        // SAFETY: plain kill(2) on the PID of our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGSTOP);
        }
        let pids = tree_pids(self.child.id());
        for p in pids.iter().rev() {
            // SAFETY: plain kill(2) on PIDs of our own child tree.
            unsafe {
                libc::kill(*p as libc::pid_t, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
        tracing::debug!(name = %self.name, "stopped");
    }
}
