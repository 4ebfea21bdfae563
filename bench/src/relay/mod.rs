//! `campo-bench relay`: the relay's figures under many devices on loopback.
//!
//! Phases, on one set of connected devices (one of them, in the first team,
//! is the slow client: it only reads):
//! 1. fan-out: every other device pushes one small change per interval; the
//!    latency from a push being sent to the change reaching each other device
//!    of the team;
//! 2. slow client: the same load while the slow client stops reading; the
//!    others' latency meanwhile, then whether the slow client, reading again,
//!    receives every change (live, or after the relay dropped it, by signing in
//!    again with its cursor);
//! 3. throughput: every device pushes again as soon as its previous push is
//!    acknowledged; acknowledged changes per second;
//! 4. soak: the steady load again while the relay's memory (VmRSS) is sampled;
//! 5. drain: pushes stop, every device reads up to its team's head, and every
//!    device's counts must add up (see [`load`]): no change lost or doubled.

mod load;
mod process;

use crate::conn::{self, Endpoint};
use crate::histogram::{Histogram, ms};
use crate::report::{self, Row, megabytes, thousands};
use anyhow::{Context, bail};
use campo_core::ids::{DeviceId, Seq};
use load::{Device, Mode, Shared, TeamState};
use process::RelayProcess;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The environment variable that selects the small, fast size (CI's smoke run).
pub const SMOKE_VAR: &str = "CAMPO_BENCH_SMOKE";

#[derive(Debug, clap::Args)]
pub struct RelayArgs {
    /// Connected devices, spread evenly over the teams [default: 1000; smoke: 50].
    #[arg(long)]
    pub clients: Option<usize>,
    /// Teams [default: 10; smoke: 5].
    #[arg(long)]
    pub teams: Option<usize>,
    /// Each device pushes one change per this interval in the steady phases.
    #[arg(long, default_value_t = 3000)]
    pub interval_ms: u64,
    /// Length of the fan-out phase [default: 60; smoke: 5].
    #[arg(long)]
    pub duration_s: Option<u64>,
    /// Length of the slow-client phase [default: 20; smoke: 3].
    #[arg(long)]
    pub slow_s: Option<u64>,
    /// Length of the throughput phase [default: 10; smoke: 3].
    #[arg(long)]
    pub throughput_s: Option<u64>,
    /// Length of the memory soak; 600 for the 10-minute figure [default: 60; smoke: 5].
    #[arg(long)]
    pub soak_s: Option<u64>,
    /// Append the figures to this file, one JSON object per line.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use a running relay at this WebSocket URL instead of starting one
    /// (needs --tokens-file).
    #[arg(long, requires = "tokens_file")]
    pub url: Option<String>,
    /// With --url: a file of `TEAM TOKEN` lines, one per team used.
    #[arg(long, requires = "url")]
    pub tokens_file: Option<PathBuf>,
    /// With --url: the relay's process id, to sample its memory.
    #[arg(long, requires = "url")]
    pub relay_pid: Option<u32>,
    /// The relay binary to start [default: campo-relay beside this binary].
    #[arg(long, conflicts_with = "url")]
    pub relay_bin: Option<PathBuf>,
    /// The small size (50 devices, seconds per phase), as CAMPO_BENCH_SMOKE=1.
    #[arg(long)]
    pub smoke: bool,
}

/// The sizes in force.
#[derive(Debug, Clone, Copy)]
struct Plan {
    clients: usize,
    teams: usize,
    interval: Duration,
    fanout: Duration,
    slow: Duration,
    throughput: Duration,
    soak: Duration,
    smoke: bool,
}

impl Plan {
    fn from(args: &RelayArgs) -> anyhow::Result<Plan> {
        let smoke = args.smoke || std::env::var(SMOKE_VAR).is_ok_and(|v| !v.is_empty() && v != "0");
        let pick = |given: Option<u64>, full: u64, small: u64| {
            given.unwrap_or(if smoke { small } else { full })
        };
        let plan = Plan {
            clients: args.clients.unwrap_or(if smoke { 50 } else { 1000 }),
            teams: args.teams.unwrap_or(if smoke { 5 } else { 10 }),
            interval: Duration::from_millis(args.interval_ms),
            fanout: Duration::from_secs(pick(args.duration_s, 60, 5)),
            slow: Duration::from_secs(pick(args.slow_s, 20, 3)),
            throughput: Duration::from_secs(pick(args.throughput_s, 10, 3)),
            soak: Duration::from_secs(pick(args.soak_s, 60, 5)),
            smoke,
        };
        if plan.teams == 0 {
            bail!("--teams must be at least 1");
        }
        if plan.clients < 3 * plan.teams {
            bail!(
                "--clients must be at least 3 per team ({} for {} teams): two to see fan-out, one more to be the slow client",
                3 * plan.teams,
                plan.teams
            );
        }
        let per_team = plan.clients.div_ceil(plan.teams);
        if per_team > campo_relay::limits::MAX_CONNECTIONS_PER_TEAM
            || plan.clients > campo_relay::MAX_CONNECTIONS
        {
            bail!(
                "the relay accepts at most {} connections per team and {} in all: use more --teams or fewer --clients",
                campo_relay::limits::MAX_CONNECTIONS_PER_TEAM,
                campo_relay::MAX_CONNECTIONS
            );
        }
        if plan.interval.is_zero() {
            bail!("--interval-ms must be above 0");
        }
        for (name, d) in [
            ("--duration-s", plan.fanout),
            ("--slow-s", plan.slow),
            ("--throughput-s", plan.throughput),
            ("--soak-s", plan.soak),
        ] {
            if d.is_zero() {
                bail!("{name} must be at least 1");
            }
        }
        Ok(plan)
    }
}

/// Memory samples of the relay: (seconds since start, bytes).
type Samples = Arc<std::sync::Mutex<Vec<(f64, u64)>>>;

pub async fn run(args: RelayArgs) -> anyhow::Result<bool> {
    let plan = Plan::from(&args)?;
    let machine = report::machine();
    // Each device holds one socket here and one at the relay, which inherits
    // this limit when the benchmark starts it.
    let fds = process::raise_open_files(plan.clients as u64 + 256)?;

    let team_names: Vec<String> = (0..plan.teams).map(|t| format!("bench-{t}")).collect();
    let (relay, url, tokens) = match (&args.url, &args.tokens_file) {
        (Some(url), Some(file)) => {
            let tokens = read_tokens(file, plan.teams)?;
            (None, url.clone(), tokens)
        }
        _ => {
            let bin = match &args.relay_bin {
                Some(b) => b.clone(),
                None => process::default_bin()?,
            };
            let wanted: Vec<(String, String)> = team_names
                .iter()
                .map(|t| (t.clone(), "Bench Rep".to_owned()))
                .collect();
            let (relay, tokens) = RelayProcess::start(&bin, &wanted)?;
            let url = relay.url.clone();
            let tokens = team_names.iter().cloned().zip(tokens).collect();
            (Some(relay), url, tokens)
        }
    };
    let pid = relay.as_ref().map(RelayProcess::pid).or(args.relay_pid);
    println!(
        "relay: {} at {url}; {} devices in {} teams; open files limit {fds}; {machine}",
        relay
            .as_ref()
            .map_or_else(|| "running".to_owned(), RelayProcess::describe),
        plan.clients,
        plan.teams
    );
    if plan.smoke {
        println!("smoke size: the figures check that everything works, not how fast");
    }
    let outcome = measure(plan, &url, tokens, pid).await;
    let mut relay = relay;
    if let Some(r) = relay.as_mut()
        && let Some(status) = r.exited()
    {
        bail!(
            "the relay exited during the benchmark ({status}):\n{}",
            r.log_tail()
        );
    }
    let (mut rows, broken) = match outcome {
        Ok(x) => x,
        Err(e) => {
            let tail = relay
                .as_ref()
                .map(RelayProcess::log_tail)
                .unwrap_or_default();
            return Err(e.context(if tail.is_empty() {
                String::new()
            } else {
                format!("the relay's last log lines:\n{tail}")
            }));
        }
    };
    rows.push(Row::new(
        "relay benchmark machine",
        "",
        format!(
            "{machine}, {} at end; the load generator and the relay share these cores",
            report::load_average()
        ),
        None,
    ));
    report::print(&rows);
    if let Some(out) = &args.out {
        report::append(out, &rows)?;
        println!("\nappended {} rows to {}", rows.len(), out.display());
    }
    Ok(!broken)
}

fn read_tokens(path: &std::path::Path, teams: usize) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut tokens = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(team), Some(token), None) = (parts.next(), parts.next(), parts.next()) else {
            bail!("{}:{}: expected `TEAM TOKEN`", path.display(), n + 1);
        };
        tokens.push((team.to_owned(), token.to_owned()));
    }
    if tokens.len() < teams {
        bail!(
            "{} names {} teams; --teams asks for {teams}",
            path.display(),
            tokens.len()
        );
    }
    tokens.truncate(teams);
    Ok(tokens)
}

/// Samples the relay's memory every second until dropped.
fn sample_memory(pid: Option<u32>, started: Instant) -> (Samples, tokio::task::JoinHandle<()>) {
    let samples: Samples = Arc::default();
    let out = samples.clone();
    let task = tokio::spawn(async move {
        let Some(pid) = pid else { return };
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Some(rss) = process::rss_bytes(pid) {
                out.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((started.elapsed().as_secs_f64(), rss));
            }
        }
    });
    (samples, task)
}

async fn measure(
    plan: Plan,
    url: &str,
    tokens: Vec<(String, String)>,
    pid: Option<u32>,
) -> anyhow::Result<(Vec<Row>, bool)> {
    let endpoint = Endpoint::resolve(url).await?;
    let started = Instant::now();
    let (samples, sampler) = sample_memory(pid, started);
    let idle_rss = pid.and_then(process::rss_bytes);

    // Every team's head now: devices start from it, so a relay that already
    // holds data sends them no catch-up.
    let mut teams = Vec::new();
    for (i, (name, token)) in tokens.into_iter().enumerate() {
        let welcome = conn::head(&endpoint, &name, &token).await?;
        teams.push((
            Arc::new(TeamState::new(i, name, token, welcome.head)),
            welcome.rep,
        ));
    }

    let shared = Arc::new(Shared::default());
    let (mode_tx, mode_rx) = watch::channel(Mode::Idle);
    let devices: Vec<Arc<Device>> = (0..plan.clients)
        .map(|i| {
            let team = teams[i % plan.teams].0.clone();
            Arc::new(Device {
                index: i,
                team,
                device: DeviceId(crate::random::bytes16()),
                slow: i == 0,
                counts: load::Counts::default(),
            })
        })
        .collect();

    // Connect, a few dozen at a time.
    let connecting = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(32));
    let mut starting = Vec::new();
    for d in &devices {
        let rep = teams[d.team.index].1.clone();
        let (d, endpoint, shared, mode, gate) = (
            d.clone(),
            endpoint.clone(),
            shared.clone(),
            mode_rx.clone(),
            gate.clone(),
        );
        starting.push(tokio::spawn(async move {
            let _permit = gate.acquire().await;
            let index = d.index;
            load::start(d, endpoint, shared, mode, plan.interval, rep)
                .await
                .with_context(|| format!("starting device {index}"))
        }));
    }
    let mut tasks = Vec::new();
    for s in starting {
        tasks.extend(s.await??);
    }
    println!(
        "{} devices connected and their accounts created in {:.1} s",
        plan.clients,
        connecting.elapsed().as_secs_f64()
    );
    let sweeper = {
        let teams: Vec<Arc<TeamState>> = teams.iter().map(|t| t.0.clone()).collect();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                for t in &teams {
                    t.forget_older_than(Duration::from_secs(120));
                }
            }
        })
    };
    let check = |phase: &str| -> anyhow::Result<()> {
        let errors = shared.errors.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(first) = errors.first() {
            bail!(
                "{} connection(s) failed during {phase}; first: {first}",
                errors.len()
            );
        }
        Ok(())
    };

    // 1. Fan-out.
    println!(
        "fan-out: {:.0} s, one push per device every {} ms",
        plan.fanout.as_secs_f64(),
        plan.interval.as_millis()
    );
    let cpu = Cpu::now(pid);
    mode_tx.send_replace(Mode::Steady {
        window: load::FANOUT,
    });
    tokio::time::sleep(plan.fanout).await;
    let cpu_fanout = cpu.since();
    check("the fan-out phase")?;

    // 2. Slow client.
    println!(
        "slow client: {:.0} s without reading",
        plan.slow.as_secs_f64()
    );
    let slow = devices[0].clone();
    shared.paused.store(true, Ordering::SeqCst);
    mode_tx.send_replace(Mode::Steady { window: load::SLOW });
    tokio::time::sleep(plan.slow).await;
    mode_tx.send_replace(Mode::Steady {
        window: load::FANOUT,
    });
    let behind = slow
        .team
        .expected_head()
        .0
        .saturating_sub(slow.counts.upto.load(Ordering::SeqCst));
    let resumed = Instant::now();
    shared.paused.store(false, Ordering::SeqCst);
    shared.resume.notify_waiters();
    let target = slow.team.expected_head();
    let caught_up = wait_until(Duration::from_secs(60), || {
        Seq(slow.counts.upto.load(Ordering::SeqCst)) >= target
    })
    .await;
    let catch_up_time = resumed.elapsed();
    check("the slow-client phase")?;

    // 3. Throughput.
    println!(
        "throughput: {:.0} s of pushes as fast as acknowledgements allow",
        plan.throughput.as_secs_f64() + 1.0
    );
    mode_tx.send_replace(Mode::Flood);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cpu = Cpu::now(pid);
    let (t0, a0) = (Instant::now(), shared.flood_acks.load(Ordering::SeqCst));
    tokio::time::sleep(plan.throughput).await;
    let (t1, a1) = (Instant::now(), shared.flood_acks.load(Ordering::SeqCst));
    let cpu_flood = cpu.since();
    let throughput = (a1 - a0) as f64 / (t1 - t0).as_secs_f64();
    check("the throughput phase")?;

    // 4. Soak.
    println!(
        "soak: {:.0} s of the steady load, sampling the relay's memory",
        plan.soak.as_secs_f64()
    );
    mode_tx.send_replace(Mode::Steady { window: load::SOAK });
    let soak_from = started.elapsed().as_secs_f64();
    let cpu = Cpu::now(pid);
    tokio::time::sleep(plan.soak).await;
    let cpu_soak = cpu.since();
    let soak_to = started.elapsed().as_secs_f64();
    check("the soak")?;

    // 5. Drain and count.
    mode_tx.send_replace(Mode::Stop);
    // Writers finish the push in flight; then the heads are final.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let drained = wait_until(Duration::from_secs(60), || {
        devices
            .iter()
            .all(|d| Seq(d.counts.upto.load(Ordering::SeqCst)) >= d.team.expected_head())
    })
    .await;
    check("the drain")?;
    shared.closing.store(true, Ordering::SeqCst);
    for t in &tasks {
        t.abort();
    }
    sweeper.abort();
    sampler.abort();

    let mut lost = 0u64;
    let mut doubled = 0u64;
    let mut short = 0usize;
    let mut stored = 0u64;
    for (t, _) in &teams {
        stored += t.acked.load(Ordering::SeqCst);
    }
    for d in &devices {
        let c = &d.counts;
        let upto = c.upto.load(Ordering::SeqCst);
        if Seq(upto) < d.team.expected_head() {
            short += 1;
        }
        let expected = upto - d.team.start.0;
        let got = c.received.load(Ordering::SeqCst) + c.own_acked.load(Ordering::SeqCst);
        lost += expected.saturating_sub(got);
        doubled += got.saturating_sub(expected) + c.disorder.load(Ordering::SeqCst);
    }
    let broken = lost > 0 || doubled > 0 || short > 0 || !drained || !caught_up;

    let rows = rows(
        &plan,
        &shared,
        Figures {
            throughput,
            cpu: [cpu_fanout, cpu_flood, cpu_soak],
            slow_behind: behind,
            slow_caught_up: caught_up,
            slow_catch_up: catch_up_time,
            slow_reconnects: slow.counts.reconnects.load(Ordering::SeqCst),
            slow_received: slow.counts.received.load(Ordering::SeqCst),
            lost,
            doubled,
            short,
            stored,
            idle_rss,
            samples: samples.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            soak: (soak_from, soak_to),
        },
    );
    Ok((rows, broken))
}

/// CPU used by the relay and by this process over a phase.
struct Cpu {
    pid: Option<u32>,
    at: Instant,
    relay: Option<f64>,
    own: Option<f64>,
}

impl Cpu {
    fn now(pid: Option<u32>) -> Cpu {
        Cpu {
            pid,
            at: Instant::now(),
            relay: pid.and_then(process::cpu_seconds),
            own: process::cpu_seconds(std::process::id()),
        }
    }

    /// "CPU: relay 85%, load generator 110% of one core" since `self`.
    fn since(&self) -> String {
        let now = Cpu::now(self.pid);
        let wall = now.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let pct = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.0}%", (b - a) / wall * 100.0),
            _ => "?".to_owned(),
        };
        format!(
            "CPU: relay {}, load generator {} of one core",
            pct(self.relay, now.relay),
            pct(self.own, now.own)
        )
    }
}

/// Polls `done` until it holds or `limit` passes; whether it held.
async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + limit;
    while !done() {
        if Instant::now() > until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

struct Figures {
    throughput: f64,
    /// CPU use in the fan-out, throughput and soak phases.
    cpu: [String; 3],
    slow_behind: u64,
    slow_caught_up: bool,
    slow_catch_up: Duration,
    slow_reconnects: u64,
    slow_received: u64,
    lost: u64,
    doubled: u64,
    short: usize,
    stored: u64,
    idle_rss: Option<u64>,
    samples: Vec<(f64, u64)>,
    soak: (f64, f64),
}

/// The samples nearest each tenth of `(from, to)`, in MB: the shape of the curve.
fn tenths(samples: &[(f64, u64)], (from, to): (f64, f64)) -> String {
    (1..=10)
        .filter_map(|k| {
            let t = from + (to - from) * f64::from(k) / 10.0;
            samples
                .iter()
                .min_by(|a, b| (a.0 - t).abs().total_cmp(&(b.0 - t).abs()))
                .map(|s| format!("{:.0}", s.1 as f64 / 1e6))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn latency(h: &Histogram) -> String {
    format!(
        "p50 {}, p99 {}, max {} ({} deliveries)",
        ms(h.quantile(0.5)),
        ms(h.quantile(0.99)),
        ms(h.max()),
        thousands(h.count())
    )
}

fn rows(plan: &Plan, shared: &Shared, f: Figures) -> Vec<Row> {
    let target_p99 = Duration::from_millis(50);
    let under = |h: &Histogram| (h.count() > 0).then(|| h.quantile(0.99) < target_p99);
    let load_text = format!(
        "{} devices, {} teams, one change per device every {:.1} s",
        plan.clients,
        plan.teams,
        plan.interval.as_secs_f64()
    );
    let fanout = &shared.latency[load::FANOUT];
    let mut rows = vec![
        Row::new(
            format!("relay fan-out latency, push sent to change received ({load_text})"),
            "p99 < 50 ms",
            format!("{}; {}", latency(fanout), f.cpu[0]),
            under(fanout),
        ),
        Row::new(
            "relay push to Ack, steady load",
            "",
            latency(&shared.ack[load::FANOUT]).replace("deliveries", "pushes"),
            None,
        ),
        Row::new(
            format!(
                "relay throughput, acknowledged changes/s ({} devices pushing as fast as Acks allow)",
                plan.clients - 1
            ),
            ">= 5,000/s",
            format!(
                "{}/s (push to Ack p50 {}, p99 {}); {}",
                thousands(f.throughput as u64),
                ms(shared.ack_flood.quantile(0.5)),
                ms(shared.ack_flood.quantile(0.99)),
                f.cpu[1]
            ),
            Some(f.throughput >= 5000.0),
        ),
    ];

    // Memory: the soak's samples.
    let soak: Vec<(f64, u64)> = f
        .samples
        .iter()
        .copied()
        .filter(|(t, _)| *t >= f.soak.0 && *t <= f.soak.1)
        .collect();
    let memory = match (soak.first(), soak.last()) {
        (Some(_), Some(&(_, end))) => {
            let warm_until = f.soak.0 + (f.soak.1 - f.soak.0) * 0.2;
            let warm = soak
                .iter()
                .find(|(t, _)| *t >= warm_until)
                .map_or(end, |s| s.1);
            let max = soak.iter().map(|s| s.1).max().unwrap_or(end);
            let all_max = f.samples.iter().map(|s| s.1).max().unwrap_or(end);
            let flat = end as f64 <= warm as f64 * 1.10;
            Row::new(
                format!(
                    "relay memory (VmRSS) over a {:.0} s soak",
                    f.soak.1 - f.soak.0
                ),
                "flat: end within 10% of the value after warm-up (first 20%)",
                format!(
                    "idle {}, after warm-up {}, end {}, soak max {}, run max {}; MB at each tenth of the soak: {}; {}",
                    f.idle_rss.map_or_else(|| "?".into(), megabytes),
                    megabytes(warm),
                    megabytes(end),
                    megabytes(max),
                    megabytes(all_max),
                    tenths(&soak, f.soak),
                    f.cpu[2]
                ),
                Some(flat),
            )
        }
        _ => Row::new(
            "relay memory (VmRSS) over the soak",
            "flat",
            "not measured: the relay's process id is unknown (give --relay-pid with --url)",
            None,
        ),
    };
    rows.push(memory);

    let slow_all = &shared.latency[load::SLOW];
    let slow_team = &shared.latency[load::SLOW_TEAM];
    rows.push(Row::new(
        format!(
            "slow client ({:.0} s not reading): the others' fan-out latency",
            plan.slow.as_secs_f64()
        ),
        "p99 < 50 ms, as without it",
        format!(
            "its team: {}; all teams: p99 {}; before: p99 {}",
            latency(slow_team),
            ms(slow_all.quantile(0.99)),
            ms(fanout.quantile(0.99))
        ),
        under(slow_team).zip(under(slow_all)).map(|(a, b)| a && b),
    ));
    let how = if f.slow_reconnects > 0 {
        format!(
            "after the relay closed its connection, by signing in again with its cursor ({} time(s))",
            f.slow_reconnects
        )
    } else {
        "from its live connection".to_owned()
    };
    rows.push(Row::new(
        "slow client: every change once it reads again",
        "no loss",
        if f.slow_caught_up {
            format!(
                "{} changes behind when it resumed, caught up in {}, {how}; {} received in all",
                thousands(f.slow_behind),
                ms(f.slow_catch_up),
                thousands(f.slow_received)
            )
        } else {
            format!(
                "did NOT catch up within 60 s ({} changes behind when it resumed)",
                thousands(f.slow_behind)
            )
        },
        Some(f.slow_caught_up),
    ));
    rows.push(Row::new(
        "relay: changes lost or received twice, every device",
        "0",
        format!(
            "{} lost, {} twice or out of order, {} devices short of the head ({} changes stored)",
            f.lost,
            f.doubled,
            f.short,
            thousands(f.stored)
        ),
        Some(f.lost == 0 && f.doubled == 0 && f.short == 0),
    ));
    rows
}
