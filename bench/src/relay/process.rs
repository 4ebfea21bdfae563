//! The relay under test as a child process: `campo-relay serve` on a free
//! loopback port with a temporary data directory, its tokens made with
//! `campo-relay token create`, its memory read from `/proc/<pid>/status`.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct RelayProcess {
    child: Child,
    bin: PathBuf,
    /// `ws://ADDR/ws`.
    pub url: String,
    /// Holds the data directory and the relay's log; removed on drop.
    dir: tempfile::TempDir,
}

/// The relay binary built beside this one (`target/release/campo-relay`).
pub fn default_bin() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating campo-bench")?;
    Ok(exe.with_file_name("campo-relay"))
}

impl RelayProcess {
    /// Makes one token per `(team, rep)`, then starts the relay.
    pub fn start(
        bin: &Path,
        tokens: &[(String, String)],
    ) -> anyhow::Result<(RelayProcess, Vec<String>)> {
        if !bin.exists() {
            bail!(
                "{} does not exist: build it first (cargo build --release -p campo-relay -p campo-bench) or give --relay-bin",
                bin.display()
            );
        }
        let dir = tempfile::Builder::new()
            .prefix("campo-bench-")
            .tempdir()
            .context("creating a temporary data directory")?;
        let data = dir.path().join("data");
        let mut made = Vec::new();
        for (team, rep) in tokens {
            let out = Command::new(bin)
                .args(["token", "create", "--team", team, "--rep", rep, "--data"])
                .arg(&data)
                .output()
                .with_context(|| format!("running {} token create", bin.display()))?;
            if !out.status.success() {
                bail!(
                    "campo-relay token create failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            made.push(String::from_utf8_lossy(&out.stdout).trim().to_owned());
        }
        let log = std::fs::File::create(dir.path().join("relay.log"))
            .context("creating the relay's log")?;
        let mut child = Command::new(bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .arg("--static-dir")
            .arg(dir.path().join("no-app"))
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {} serve", bin.display()))?;
        let stdout = child.stdout.take().context("the relay's stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading the relay's first line")?;
        let Some(addr) = line.trim().strip_prefix("campo-relay listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(dir.path().join("relay.log")).unwrap_or_default();
            bail!(
                "the relay did not start (first line {line:?}): {}",
                log.trim()
            );
        };
        let url = format!("ws://{addr}/ws");
        Ok((
            RelayProcess {
                child,
                bin: bin.to_owned(),
                url,
                dir,
            },
            made,
        ))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` once the relay has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last lines the relay logged, for an error report.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("relay.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    pub fn describe(&self) -> String {
        format!("{} (pid {})", self.bin.display(), self.child.id())
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The resident memory of process `pid`, in bytes (VmRSS).
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// CPU time (user + system) process `pid` has used, in seconds.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), from field 3 on.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (ticks > 0).then(|| (utime + stime) / ticks as f64)
}

/// Raises this process's soft limit of open files to at least `needed` (up to
/// the hard limit); the relay started afterwards inherits it. Returns the
/// limit now in force.
pub fn raise_open_files(needed: u64) -> anyhow::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error()).context("reading the open files limit");
    }
    if limit.rlim_cur >= needed {
        return Ok(limit.rlim_cur);
    }
    let wanted = needed.min(limit.rlim_max);
    let raised = libc::rlimit {
        rlim_cur: wanted,
        rlim_max: limit.rlim_max,
    };
    // SAFETY: setrlimit reads the struct we pass.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
        return Err(std::io::Error::last_os_error()).context("raising the open files limit");
    }
    if wanted < needed {
        bail!(
            "{needed} open files are needed but the hard limit is {}: raise it (ulimit -Hn) or use fewer --clients",
            limit.rlim_max
        );
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_cpu_time_is_readable() {
        let before = cpu_seconds(std::process::id()).expect("CPU time of this process");
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        assert!(cpu_seconds(std::process::id()).unwrap() >= before);
    }

    #[test]
    fn our_own_memory_is_readable() {
        let rss = rss_bytes(std::process::id()).expect("VmRSS of this process");
        assert!(rss > 100_000, "{rss}");
    }
}
