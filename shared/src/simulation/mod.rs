//! A deterministic simulation of the whole system: the real core (`update` over a real local
//! SQLite store on every device) and the real server (its router, rules and storage, in process:
//! SQLite, or PostgreSQL with `RELAIS_SIM_BACKEND=postgres`), with a network, devices and a clock
//! that a seed drives.
//!
//! Each seed builds a town (citizens, one of them with two linked devices, agents of two
//! services, a supervisor acting from the back office) and runs a schedule chosen by the seed:
//! filings, supports, follows, staff actions on devices and on the server, syncs, and faults:
//! requests lost, answers lost after the server committed, requests delivered twice, answered
//! out of order, held back past the device's timeout and delivered later (to the same server: a
//! restore from a backup drops them), 5xx answers, devices
//! dying between any two effects, servers dying and restarting on their files, a server restored
//! from a backup taken earlier in the seed (it loses what it acknowledged since: the devices must
//! notice and send it again), device clocks off by minutes to days. Then the network heals, every
//! device syncs, and the invariants of [`checks`] must hold. Why: the crash and fault tests each pin one situation; this explores
//! their combinations.
//!
//! A failing seed prints what happened and the one-line command that runs it again, in the
//! profile it ran in: `RELAIS_SIM_SEED=N cargo test [--profile sim] -p shared --lib simulation`.
//! The schedule and the faults replay exactly; ids and instants are the real clock's, as on a
//! phone. `cargo test` runs [`DEFAULT_SEEDS`] seeds; CI runs a thousand more on the same debug
//! test binary (see `.ci/run`); `RELAIS_SIM_SEEDS=1000000` runs a million (best in the optimised
//! `sim` profile: `cargo test --profile sim`), `RELAIS_SIM_FIRST` moves the first.
//!
//! The server stores in SQLite unless `RELAIS_SIM_BACKEND=postgres`: then each seed's server has
//! a PostgreSQL database of its own on the server `RELAIS_TEST_POSTGRES` names, backs up and
//! restores with `pg_dump` and `pg_restore` (from `RELAIS_PG_BIN`, else the `PATH`), and the
//! invariants are read with the same queries (see [`postgres`] and [`reader`]):
//! `scripts/postgres env RELAIS_SIM_BACKEND=postgres cargo test -p shared --lib simulation`
//! (CI runs `RELAIS_CI_SIM_PG_SEEDS` such seeds after the SQLite ones).
//!
//! Where a seed's time goes, and what the harness does about it: the seed's stores live in
//! memory (`/dev/shm`, see [`server::scratch`]) with their real `synchronous=FULL` commits, so a
//! crash still loses exactly what was not committed while an fsync costs nothing; the server's
//! router is built once per start (building it for every request took a quarter of a debug
//! seed); the server serialises the directory once per change, not at every sync (a third of a
//! debug seed before); the rest is the real code under test, which a debug build runs at about
//! 1.8 seeds a second on two threads (quiet machine), and the optimised `sim` profile several
//! times faster, after a build tree of its own.

mod checks;
mod open311;
mod oracle;
mod pictures;
mod postgres;
mod reader;
mod server;

use std::collections::BTreeMap;

use crux_http::protocol::HttpRequest;
use rand::{Rng, SeedableRng, rngs::StdRng};
use relais_protocol::{ErrorCode, ReportStatus, WorkflowAction};

use crate::model::Intent;
use crate::model::StaffActionInput;
use crate::model::testing::{Filing, Harness, SERVER, connection_refused, status, timeout};
use crate::view::AccountView;
use server::SimServer;

/// Seeds a plain `cargo test` runs, in a debug build: a few, since a debug seed takes about a
/// second (photos, a server and half a dozen phones). CI's own step runs 500 more
/// (`RELAIS_SIM_FIRST=12 RELAIS_SIM_SEEDS=500`, see `.ci/run`).
pub const DEFAULT_SEEDS: u64 = 12;

/// Seeds that once broke an invariant, with what they found: every `cargo test` runs them again
/// (`seeds_that_found_bugs`), so that what they found stays fixed.
const REGRESSIONS: [(u64, &str); 4] = [
    (
        40_000_464,
        "a device kept, outside its zones, the original its report only probably repeats, at a \
         state long gone",
    ),
    (
        40_001_474,
        "a push held back across a restore from a backup was applied, the device shown refused",
    ),
    (
        40_005_784,
        "a device kept, outside its zones, a report whose \"me too\" the server refused, at a \
         state long gone",
    ),
    (
        40_017_331,
        "a push's failed attempt, recorded after the identity's deletion had emptied the \
         queue, brought its change back with its old number; renumbered, a change was applied \
         twice",
    ),
];

/// The most mutations in one push of a simulated phone (500 on a real one): a phone with more
/// queued pushes in several batches, the next sent while its store records the one before.
const SIMULATED_PUSH_BATCH: usize = 3;

/// Steps of each of a seed's two rounds, before the network heals.
const STEPS: usize = 60;

/// Who holds a device.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    /// A citizen; devices of one citizen share the number.
    Citizen(usize),
    /// A field agent of a service.
    Agent(&'static str),
}

/// A phone of the simulated town.
struct Device {
    name: String,
    role: Role,
    harness: Option<Harness>,
    clock_skew_ms: i64,
    /// Every mutation this device ever queued (id → kind), to account for each at the end.
    queued: BTreeMap<String, String>,
    /// The last request of this device that reached the server with a change (a copy of it can
    /// arrive again late, after the device's identity was deleted).
    last_write: Option<HttpRequest>,
}

impl Device {
    fn h(&mut self) -> &mut Harness {
        self.harness.as_mut().expect("the device is running")
    }

    fn held(&self) -> &Harness {
        self.harness.as_ref().expect("the device is running")
    }

    /// The app is killed and started again on its store.
    fn restart(&mut self) {
        let mut h = self
            .harness
            .take()
            .expect("the device is running")
            .restart();
        h.clock_skew_ms = self.clock_skew_ms;
        self.harness = Some(h);
    }
}

/// What a seed did, for the summary line.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub filed: usize,
    pub staff_changes: usize,
    pub faults: usize,
    pub device_crashes: usize,
    pub server_crashes: usize,
    /// Times the server was restored from an older backup.
    pub restores: usize,
    /// Times two agents moved the same report each from their own phone.
    pub meetings: usize,
    /// Citizens who deleted their identity (account or device) from one of their phones.
    pub erasures: usize,
    /// Open311 requests acknowledged after a backup and lost when it was restored (a known
    /// limit: see [`open311`]).
    pub open311_lost_to_restores: usize,
    /// Changes refused, and shown on their device, by the reason's code (`conflict` among them).
    pub refusals: BTreeMap<String, usize>,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, other: Self) {
        self.filed += other.filed;
        self.staff_changes += other.staff_changes;
        self.faults += other.faults;
        self.device_crashes += other.device_crashes;
        self.server_crashes += other.server_crashes;
        self.restores += other.restores;
        self.meetings += other.meetings;
        self.erasures += other.erasures;
        self.open311_lost_to_restores += other.open311_lost_to_restores;
        for (code, n) in other.refusals {
            *self.refusals.entry(code).or_default() += n;
        }
    }
}

/// Categories citizens file in, with the service they go to (the demo town's routing).
const CATEGORIES: [(&str, &str); 2] = [
    ("autres_encombrants_abandonnes", "proprete"),
    ("chantier_sale_voirie", "voirie"),
];

/// One seed's town, network and schedule.
pub struct Simulation {
    seed: u64,
    rng: StdRng,
    server: SimServer,
    devices: Vec<Device>,
    /// Requests held back past their device's timeout, delivered to the server later.
    late: Vec<HttpRequest>,
    /// What happened, step by step, shown when an invariant breaks.
    trace: Vec<String>,
    stats: Stats,
    /// The steps at which the server is backed up, then restored from that backup (in one seed
    /// of [`RESTORED_ONE_IN`]).
    restore_plan: Option<(usize, usize)>,
    /// The citizen device that asked to delete its identity, and what that identity was.
    erasing: Option<(usize, checks::Erased)>,
    /// Identities deleted for good, to check that nothing of them stays or comes back.
    erased: Vec<checks::Erased>,
    /// A third-party application filing through Open311.
    open311: open311::Application,
}

/// One seed in this many restores its server from an older backup.
const RESTORED_ONE_IN: u32 = 4;

impl Simulation {
    /// Builds the town of `seed` on a reliable network.
    pub fn new(seed: u64) -> Self {
        let server = SimServer::start();
        let mut sim = Self {
            seed,
            rng: StdRng::seed_from_u64(seed),
            open311: open311::Application::new(&server),
            server,
            devices: Vec::new(),
            late: Vec::new(),
            trace: Vec::new(),
            stats: Stats::default(),
            restore_plan: None,
            erasing: None,
            erased: Vec::new(),
        };
        if sim.rng.random_ratio(1, RESTORED_ONE_IN) {
            let backup = sim.rng.random_range(0..STEPS);
            sim.restore_plan = Some((backup, sim.rng.random_range(backup + 1..2 * STEPS)));
        }
        let citizens = sim.rng.random_range(2..=3);
        for citizen in 0..citizens {
            sim.add_device(Role::Citizen(citizen), None);
        }
        // Citizen 0 links a second phone to their account.
        sim.add_device(Role::Citizen(0), None);
        sim.link(0, citizens);
        let agents = sim.rng.random_range(1..=2) + 1;
        for agent in 0..agents {
            let service = if agent < 2 { "proprete" } else { "voirie" };
            let code = sim
                .server
                .enrol_agent(&format!("agent{agent}@relais.test"), service);
            sim.add_device(Role::Agent(service), Some(code));
        }
        sim
    }

    fn add_device(&mut self, role: Role, enrolment_code: Option<String>) {
        let mut h = Harness::new_in(&server::scratch());
        h.clock_skew_ms = match self.rng.random_range(0..6) {
            0 => -2 * 86_400_000,
            1 => -3 * 3_600_000,
            2 => 300_000,
            3 => 3 * 86_400_000,
            _ => 0,
        };
        h.send(Intent::Register {
            server_url: SERVER.into(),
            tenant: server::TENANT.into(),
            platform: "simulation".into(),
            enrolment_code,
        });
        self.serve_all(&mut h);
        assert!(h.model.registration().is_some(), "the device registered");
        let name = match &role {
            Role::Citizen(n) => format!("citizen {n} device {}", self.devices.len()),
            Role::Agent(service) => format!("agent of {service} device {}", self.devices.len()),
        };
        self.devices.push(Device {
            name,
            role,
            clock_skew_ms: h.clock_skew_ms,
            harness: Some(h),
            queued: BTreeMap::new(),
            last_write: None,
        });
    }

    /// Device `other` joins the account of device `first`.
    fn link(&mut self, first: usize, other: usize) {
        let mut h = self.devices[first].harness.take().unwrap();
        h.send(Intent::SetAccount {
            email: format!("citizen{first}@relais.test"),
            phone: None,
            contact: relais_protocol::account::ContactChannel::InApp,
            language: "fr".into(),
        });
        self.serve_all(&mut h);
        let AccountView::Ready { link_code, .. } = h.view().account else {
            panic!("no account: {:?}", h.view().account);
        };
        self.devices[first].harness = Some(h);
        let mut h = self.devices[other].harness.take().unwrap();
        h.send(Intent::LinkAccount { code: link_code });
        self.serve_all(&mut h);
        self.devices[other].harness = Some(h);
    }

    /// Answers every request of `h` on a good network.
    fn serve_all(&self, h: &mut Harness) {
        while h.has_http() {
            let request = h.take_http();
            let answer = self.server.handle(&request.operation);
            h.respond(request, answer);
        }
    }

    fn note(&mut self, step: usize, what: impl Into<String>) {
        self.trace.push(format!("{step:>3} {}", what.into()));
    }

    /// Runs the schedule, heals the network and checks the invariants.
    pub fn run(mut self) -> Result<Stats, String> {
        // Two rounds, so that the second works on what the first brought to every phone.
        for step in 0..2 * STEPS {
            self.restore_as_planned(step);
            self.step(step);
            if step == STEPS - 1 {
                self.note(step, "the network heals");
                self.heal();
            }
        }
        self.heal();
        self.record_queued();
        match checks::check(
            &self.server,
            &self.devices,
            &self.erased,
            &self.open311.acknowledged,
        ) {
            Ok(refusals) => {
                self.stats.refusals = refusals;
                Ok(self.stats)
            }
            Err(broken) => Err(format!(
                "seed {}: {broken}\nwhat happened:\n{}\n{}",
                self.seed,
                self.trace.join("\n"),
                replay(self.seed)
            )),
        }
    }

    /// Takes the backup, or restores it, if the seed planned it at `step`.
    fn restore_as_planned(&mut self, step: usize) {
        match self.restore_plan {
            Some((backup, _)) if backup == step => {
                self.note(step, "the server is backed up");
                self.server.back_up();
                self.open311.backed_up();
            }
            Some((_, restore)) if restore == step => {
                self.note(step, "the server dies and is restored from its backup");
                // What the network held back was sent to the server that died, on connections
                // that died with it: none of it reaches the restored one. (Delivered there, a
                // push the device had been answered for by the dead server would be applied
                // anew, with no one to hear it.)
                self.late.clear();
                assert!(self.server.restore(), "the backup comes first");
                self.stats.restores += 1;
                self.stats.open311_lost_to_restores += self.open311.restored();
            }
            _ => {}
        }
    }

    fn step(&mut self, step: usize) {
        let d = self.rng.random_range(0..self.devices.len());
        match self.rng.random_range(0..200) {
            0..=21 => self.file(step, d),
            22..=24 => self.file_through_open311(step),
            25..=31 => self.support(step, d),
            32..=34 => self.follow(step, d),
            35..=54 => self.agent_acts(step, d),
            55..=64 => self.agents_meet(step),
            65..=74 => self.supervisor_acts(step),
            75..=78 => self.reopen(step, d),
            79..=80 => self.delete_identity(step, d),
            81..=104 => {
                self.note(step, format!("{} syncs", self.devices[d].name));
                self.devices[d].h().send(Intent::Sync);
            }
            105..=186 => self.deliver(step),
            187..=191 => self.deliver_late(step),
            192..=195 => {
                let effects = self.rng.random_range(0..8);
                self.note(
                    step,
                    format!("{} will die after {effects} effects", self.devices[d].name),
                );
                self.devices[d].h().crash_after(effects);
            }
            196..=198 => {
                self.note(
                    step,
                    format!("{} is killed and restarted", self.devices[d].name),
                );
                self.devices[d].restart();
                self.stats.device_crashes += 1;
            }
            _ => {
                self.note(step, "the server dies and restarts");
                self.server.restart();
                self.stats.server_crashes += 1;
            }
        }
        self.record_queued();
        for device in &mut self.devices {
            if device.held().crashed() {
                self.trace.push(format!("    {} died", device.name));
                device.restart();
                self.stats.device_crashes += 1;
            }
        }
        self.erasure_done(step);
    }

    /// A citizen deletes their identity from device `d` (one citizen a seed): the server forgets
    /// their account, devices, supports and follows, and keeps their reports anonymised; the
    /// device forgets everything. Their linked devices lose their registration with it.
    fn delete_identity(&mut self, step: usize, d: usize) {
        let Role::Citizen(citizen) = self.devices[d].role else {
            return;
        };
        // A backup taken before the erasure would bring the identity back when restored, and
        // would not know the devices registered anew: the operator's replay of erasures after a
        // restore is not modelled, so seeds that restore delete nothing.
        if self.erasing.is_some() || !self.erased.is_empty() || self.restore_plan.is_some() {
            return;
        }
        let devices: Vec<String> = self
            .devices
            .iter()
            .filter(|device| device.role == Role::Citizen(citizen))
            .filter_map(|device| Some(device.held().model.registration()?.device_id.to_string()))
            .collect();
        let email = matches!(
            self.devices[d].held().view().account,
            AccountView::Ready { .. }
        )
        .then(|| format!("citizen{citizen}@relais.test"));
        self.note(
            step,
            format!("{} deletes its identity", self.devices[d].name),
        );
        self.devices[d].h().send(Intent::DeleteAccount);
        self.erasing = Some((d, checks::Erased { devices, email }));
    }

    /// The owner of device `d` registers it again, on a good network.
    fn register_again(&mut self, d: usize) {
        let mut h = self.devices[d].harness.take().unwrap();
        h.send(Intent::Register {
            server_url: SERVER.into(),
            tenant: server::TENANT.into(),
            platform: "simulation".into(),
            enrolment_code: None,
        });
        self.serve_all(&mut h);
        self.devices[d].harness = Some(h);
    }

    /// Once the device that asked sees its identity deleted, every device of that identity
    /// starts again from nothing (the owner registers it anew), and a copy of each one's last
    /// change arrives late at the server: it must bring nothing back.
    fn erasure_done(&mut self, step: usize) {
        let Some((d, _)) = self.erasing else {
            return;
        };
        let device = self.devices[d].held();
        // Deleted, or the device already forgot everything before a crash lost the answer.
        let forgotten = matches!(device.view().account, AccountView::Deleted { .. })
            || device.model.registration().is_none();
        if !forgotten {
            return;
        }
        let (_, erased) = self.erasing.take().expect("an erasure is under way");
        let Role::Citizen(citizen) = self.devices[d].role else {
            unreachable!("only citizens delete their identity")
        };
        self.note(step, format!("citizen {citizen}'s identity is deleted"));
        for device in &mut self.devices {
            if device.role == Role::Citizen(citizen) {
                // What it had queued went with its identity, by the citizen's choice.
                device.queued.clear();
                if let Some(request) = device.last_write.take() {
                    self.late.push(request);
                }
            }
        }
        for d in 0..self.devices.len() {
            if self.devices[d].role == Role::Citizen(citizen) {
                self.register_again(d);
            }
        }
        self.erased.push(erased);
        self.stats.erasures += 1;
    }

    /// Notes every mutation the devices hold in their queues.
    fn record_queued(&mut self) {
        for device in &mut self.devices {
            let h = device.harness.as_ref().expect("the device is running");
            for item in h.model.outbox.items() {
                device
                    .queued
                    .entry(item.id().to_string())
                    .or_insert_with(|| item.mutation.op.kind().to_owned());
            }
        }
    }

    fn file(&mut self, step: usize, d: usize) {
        if !matches!(self.devices[d].role, Role::Citizen(_)) {
            return;
        }
        let (category, _) = CATEGORIES[self.rng.random_range(0..CATEGORIES.len())];
        let (lat, lon) = self.near_town_hall();
        let text = format!("Signalement {step}");
        let photos = pictures::pick(&mut self.rng);
        let attached = photos.len();
        let action = self.devices[d].h().send_report(Filing {
            category: category.into(),
            lat,
            lon,
            text,
            photos,
            ..Filing::default()
        });
        self.note(
            step,
            format!(
                "{} files {category} with {attached} photos: {action:?}",
                self.devices[d].name
            ),
        );
        self.stats.filed += 1;
    }

    /// The third-party application files a request where citizens file theirs.
    fn file_through_open311(&mut self, step: usize) {
        let (category, _) = CATEGORIES[self.rng.random_range(0..CATEGORIES.len())];
        let at = self.near_town_hall();
        let sent = self.open311.file(&self.server, &mut self.rng, category, at);
        self.note(
            step,
            format!("an Open311 application files {category}: {sent}"),
        );
    }

    /// A point around the Hôtel de Ville, close enough to others for some reports to be
    /// probable duplicates.
    fn near_town_hall(&mut self) -> (f64, f64) {
        (
            48.8566 + self.rng.random_range(-0.004..0.004),
            2.3522 + self.rng.random_range(-0.004..0.004),
        )
    }

    /// The id of a report device `d` shows that `wanted` picks, chosen by the seed.
    fn pick_report(
        &mut self,
        d: usize,
        wanted: impl Fn(&crate::view::ReportView) -> bool,
    ) -> Option<String> {
        let ids: Vec<String> = self.devices[d]
            .held()
            .view()
            .reports
            .into_iter()
            .filter(|r| wanted(r))
            .map(|r| r.id)
            .collect();
        (!ids.is_empty()).then(|| ids[self.rng.random_range(0..ids.len())].clone())
    }

    fn support(&mut self, step: usize, d: usize) {
        if !matches!(self.devices[d].role, Role::Citizen(_)) {
            return;
        }
        let Some(report_id) = self.pick_report(d, |r| !r.mine && !r.supported) else {
            return;
        };
        self.note(
            step,
            format!("{} supports {report_id}", self.devices[d].name),
        );
        self.devices[d].h().send(Intent::Support { report_id });
    }

    fn follow(&mut self, step: usize, d: usize) {
        if !matches!(self.devices[d].role, Role::Citizen(_)) {
            return;
        }
        self.note(step, format!("{} follows the 4th", self.devices[d].name));
        self.devices[d].h().send(Intent::FollowZone {
            zone: "75104".into(),
        });
    }

    fn reopen(&mut self, step: usize, d: usize) {
        let Some(report_id) = self.pick_report(d, |r| r.mine && r.status == ReportStatus::Resolved)
        else {
            return;
        };
        self.note(
            step,
            format!("{} says {report_id} is not fixed", self.devices[d].name),
        );
        self.devices[d].h().send(Intent::ConfirmResolution {
            report_id,
            fixed: false,
            satisfaction: Some(2),
        });
    }

    /// An agent works a report of their list: the next move of its status, a reply or a note.
    fn agent_acts(&mut self, step: usize, d: usize) {
        if !matches!(self.devices[d].role, Role::Agent(_)) {
            return;
        }
        let work = self.devices[d].held().view().work;
        if work.is_empty() {
            return;
        }
        let task = &work[self.rng.random_range(0..work.len())].report;
        let (action, reply, note) = match self.rng.random_range(0..10) {
            0 => (
                StaffActionInput::Note,
                None,
                Some(format!("NOTE-{}", task.id)),
            ),
            1 => (
                StaffActionInput::Reply,
                Some("Nous passons demain.".into()),
                None,
            ),
            _ => (self.next_move(task.status.as_str(), input), None, None),
        };
        self.note(
            step,
            format!(
                "{} on {} ({} v{}): {action:?}",
                self.devices[d].name,
                task.id,
                task.status.as_str(),
                task.version
            ),
        );
        let report_id = task.id.clone();
        // Photos taken on site go with a resolution only.
        let photos = match action {
            StaffActionInput::Resolve => pictures::pick(&mut self.rng),
            _ => Vec::new(),
        };
        self.devices[d].h().send(Intent::StaffAction {
            report_id,
            action,
            reply,
            note,
            photos,
        });
        self.stats.staff_changes += 1;
    }

    /// The two agents of one service move the same report, each from what their phone shows:
    /// the second change to reach the server meets the first as a conflict.
    fn agents_meet(&mut self, step: usize) {
        let agents: Vec<usize> = (0..self.devices.len())
            .filter(|&d| self.devices[d].role == Role::Agent("proprete"))
            .collect();
        let [first, second] = agents[..] else {
            return;
        };
        let theirs: Vec<String> = self.devices[second]
            .held()
            .view()
            .work
            .into_iter()
            .map(|task| task.report.id)
            .collect();
        let both: Vec<_> = self.devices[first]
            .held()
            .view()
            .work
            .into_iter()
            .filter(|task| theirs.contains(&task.report.id))
            .collect();
        if both.is_empty() {
            return;
        }
        let report_id = both[self.rng.random_range(0..both.len())].report.id.clone();
        self.stats.meetings += 1;
        for d in [first, second] {
            let Some(task) = self.devices[d]
                .held()
                .view()
                .work
                .into_iter()
                .find(|task| task.report.id == report_id)
            else {
                continue;
            };
            let action = self.next_move(task.report.status.as_str(), input);
            self.note(
                step,
                format!(
                    "{} on {report_id} ({} v{}): {action:?}",
                    self.devices[d].name,
                    task.report.status.as_str(),
                    task.report.version
                ),
            );
            self.devices[d].h().send(Intent::StaffAction {
                report_id: report_id.clone(),
                action,
                reply: None,
                note: None,
                photos: Vec::new(),
            });
            self.stats.staff_changes += 1;
        }
    }

    /// The supervisor acts from the back office on a report of the server, sometimes on a
    /// version already gone.
    fn supervisor_acts(&mut self, step: usize) {
        let reports = checks::server_reports(&self.server);
        if reports.is_empty() {
            return;
        }
        let report = &reports[self.rng.random_range(0..reports.len())];
        let stale = self.rng.random_range(0..4) == 0;
        let base_version = if stale {
            report.version - 1
        } else {
            report.version
        };
        let action = self.next_move(&report.status, |a| a);
        let taken = self
            .server
            .staff_act(report.id, base_version, action.clone());
        self.note(
            step,
            format!(
                "the supervisor on {} ({} v{base_version}): {action:?} taken: {taken}",
                report.id, report.status
            ),
        );
        self.stats.staff_changes += 1;
    }

    /// A move of the workflow from `status`, chosen by the seed.
    fn next_move<T>(&mut self, status: &str, made: impl Fn(WorkflowAction) -> T) -> T {
        let choices: &[WorkflowAction] = match status {
            "received" | "reopened" | "transferred" => &[
                WorkflowAction::Acknowledge,
                WorkflowAction::Start,
                WorkflowAction::Reject {
                    reason: "non_constate".into(),
                },
            ],
            "acknowledged" | "scheduled" => &[
                WorkflowAction::Start,
                WorkflowAction::Schedule {
                    for_ms: Some(crate::model::millis(std::time::SystemTime::now()) + 86_400_000),
                },
            ],
            _ => &[WorkflowAction::Resolve { photos: Vec::new() }],
        };
        made(choices[self.rng.random_range(0..choices.len())].clone())
    }

    /// The network answers one waiting request, in any order, with a fault or not.
    fn deliver(&mut self, step: usize) {
        let waiting: Vec<usize> = (0..self.devices.len())
            .filter(|&d| self.devices[d].held().has_http())
            .collect();
        if waiting.is_empty() {
            return;
        }
        let d = waiting[self.rng.random_range(0..waiting.len())];
        let index = self
            .rng
            .random_range(0..self.devices[d].held().http_waiting());
        let request = self.devices[d].h().take_http_at(index);
        let what = format!(
            "{} {} of {}",
            request.operation.method, request.operation.url, self.devices[d].name
        );
        let fault = self.rng.random_range(0..100);
        if fault >= 70 {
            self.stats.faults += 1;
        }
        if request.operation.method != "GET" {
            self.devices[d].last_write = Some(request.operation.clone());
        }
        let answer = match fault {
            0..=69 => {
                self.note(step, format!("{what}: delivered"));
                self.server.handle(&request.operation)
            }
            70..=74 => {
                self.note(step, format!("{what}: lost"));
                connection_refused()
            }
            75..=79 => {
                self.note(step, format!("{what}: committed, answer lost"));
                let _ = self.server.handle(&request.operation);
                timeout()
            }
            80..=84 => {
                self.note(step, format!("{what}: delivered twice"));
                let _ = self.server.handle(&request.operation);
                self.server.handle(&request.operation)
            }
            85..=89 => {
                self.note(step, format!("{what}: held back past the timeout"));
                self.late.push(request.operation.clone());
                timeout()
            }
            90..=95 => {
                self.note(step, format!("{what}: 503"));
                status(503, ErrorCode::Unavailable)
            }
            96..=97 => {
                let committed = self.rng.random_bool(0.5);
                self.note(
                    step,
                    format!("{what}: the server dies (committed first: {committed}) and restarts"),
                );
                if committed {
                    let _ = self.server.handle(&request.operation);
                }
                self.server.restart();
                self.stats.server_crashes += 1;
                connection_refused()
            }
            _ => {
                self.note(step, format!("{what}: 500"));
                status(500, ErrorCode::Internal)
            }
        };
        if self.rng.random_range(0..5) > 0 {
            self.devices[d].h().respond(request, answer);
            return;
        }
        // The phone's storage is slow this time: what the answer makes it write waits, and the
        // network answers its next request first (the pull's next page, a photo).
        self.devices[d].h().hold_store();
        self.devices[d].h().respond(request, answer);
        if self.devices[d].held().has_http() {
            let next = self.devices[d].h().take_http();
            self.note(
                step,
                format!(
                    "{} {} of {}: delivered while its store is slow",
                    next.operation.method, next.operation.url, self.devices[d].name
                ),
            );
            if next.operation.method != "GET" {
                self.devices[d].last_write = Some(next.operation.clone());
            }
            let answer = self.server.handle(&next.operation);
            self.devices[d].h().respond(next, answer);
        }
        self.devices[d].h().release_store();
    }

    /// A request held back reaches the server at last; its answer finds no one waiting.
    fn deliver_late(&mut self, step: usize) {
        if self.late.is_empty() {
            return;
        }
        let request = self.late.remove(self.rng.random_range(0..self.late.len()));
        self.note(
            step,
            format!("late {} {}: delivered", request.method, request.url),
        );
        let _ = self.server.handle(&request);
    }

    /// The network heals: what was held back arrives, and every device syncs until nothing
    /// moves.
    fn heal(&mut self) {
        for request in std::mem::take(&mut self.late) {
            let _ = self.server.handle(&request);
        }
        for device in &mut self.devices {
            if let Some(h) = &mut device.harness {
                // Nobody answers what was in flight: the device's requests time out.
                while h.has_http() {
                    let request = h.take_http();
                    h.respond(request, timeout());
                }
            }
        }
        for device in &mut self.devices {
            if device.held().crash_planned() {
                // Its death was planned: it happens now if it has not yet.
                device.restart();
            }
        }
        if let Some((d, _)) = self.erasing {
            // The citizen asks again until their phone says it is done (an answer lost, a
            // crash: the server answers a second request for a deleted identity with 401,
            // which the device takes as done).
            for _ in 0..3 {
                let mut h = self.devices[d].harness.take().unwrap();
                h.send(Intent::DeleteAccount);
                self.serve_all(&mut h);
                self.devices[d].harness = Some(h);
                self.erasure_done(2 * STEPS);
                if self.erasing.is_none() {
                    break;
                }
            }
            for request in std::mem::take(&mut self.late) {
                let _ = self.server.handle(&request);
            }
        }
        for d in 0..self.devices.len() {
            let registration = self.devices[d]
                .held()
                .model
                .registration()
                .map(|r| r.device_id.to_string());
            let erased = registration
                .as_ref()
                .is_some_and(|id| self.erased.iter().any(|e| e.devices.contains(id)));
            if erased {
                // What it queued under the erased identity goes when it registers again (the
                // device says so, and the owner chose to erase).
                self.devices[d].queued.clear();
            }
            if registration.is_none() || erased {
                // Its registration after an erasure died with it (a planned crash): it holds
                // none, or still the erased one, which the server answers "not recognised,
                // register again". The owner does so.
                self.register_again(d);
            }
        }
        for _ in 0..3 {
            for d in 0..self.devices.len() {
                let mut h = self.devices[d].harness.take().unwrap();
                h.send(Intent::Sync);
                self.serve_all(&mut h);
                self.devices[d].harness = Some(h);
            }
        }
    }
}

/// The intent an agent sends for a workflow move.
fn input(action: WorkflowAction) -> StaffActionInput {
    match action {
        WorkflowAction::Acknowledge => StaffActionInput::Acknowledge,
        WorkflowAction::Schedule { for_ms } => StaffActionInput::Schedule {
            for_ms: for_ms.unwrap_or_default(),
        },
        WorkflowAction::Start => StaffActionInput::Start,
        WorkflowAction::Reject { reason } => StaffActionInput::Reject { reason },
        _ => StaffActionInput::Resolve,
    }
}

/// The seeds this run covers: `RELAIS_SIM_SEED` alone, else `RELAIS_SIM_SEEDS` (default
/// [`DEFAULT_SEEDS`]) from `RELAIS_SIM_FIRST` (default 0).
fn seeds() -> std::ops::Range<u64> {
    let var = |name: &str| {
        std::env::var(name).ok().map(|v| {
            v.parse::<u64>()
                .unwrap_or_else(|_| panic!("{name} is not a number: {v}"))
        })
    };
    if let Some(seed) = var("RELAIS_SIM_SEED") {
        return seed..seed + 1;
    }
    let first = var("RELAIS_SIM_FIRST").unwrap_or(0);
    first..first + var("RELAIS_SIM_SEEDS").unwrap_or(DEFAULT_SEEDS)
}

/// How many threads run seeds at once: `RELAIS_SIM_THREADS`, else one per core. Seeds share
/// nothing (each has its own server, devices and files), so they run side by side.
fn threads() -> usize {
    std::env::var("RELAIS_SIM_THREADS")
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .unwrap_or_else(|_| panic!("RELAIS_SIM_THREADS is not a number: {v}"))
        })
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1)
}

/// The failure of a seed that panicked, with the command that replays it.
fn panicked(seed: u64, panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    format!("seed {seed} panicked: {what}\n{}", replay(seed))
}

/// The one-line command that runs `seed` again, alone, in the build profile of this run (the
/// debug build of `cargo test` and CI, or the optimised `sim` profile).
fn replay(seed: u64) -> String {
    replay_test(seed, "simulation")
}

/// The one-line command that runs `seed` of the test `name` again.
fn replay_test(seed: u64, name: &str) -> String {
    // Test binaries live in `target/<profile>/deps/`.
    let profile = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.file_name()?.to_str()?.to_owned()))
        .filter(|profile| profile != "debug")
        .map(|profile| format!(" --profile {profile}"))
        .unwrap_or_default();
    let backend = if postgres::server().is_some() {
        format!("scripts/postgres env {}=postgres ", postgres::BACKEND)
    } else {
        String::new()
    };
    format!(
        "replay: {backend}RELAIS_SIM_SEED={seed} cargo test{profile} -p shared --lib {name} -- \
         --nocapture"
    )
}

/// What the seeds of one thread did: their summed stats, the slowest seed and the failures.
#[derive(Default)]
struct Tally {
    stats: Stats,
    slowest: (u64, std::time::Duration),
    failures: Vec<(u64, String)>,
}

#[test]
fn seeds_that_found_bugs() {
    crate::model::outbox::TEST_BATCH_MUTATIONS.set(SIMULATED_PUSH_BATCH);
    for (seed, found) in REGRESSIONS {
        if let Err(failure) = Simulation::new(seed).run() {
            panic!("seed {seed}, which found that {found}, fails again:\n{failure}");
        }
    }
}

#[test]
fn simulation() {
    use std::sync::atomic::{AtomicU64, Ordering};

    let started = std::time::Instant::now();
    let seeds = seeds();
    let count = seeds.end - seeds.start;
    let next = AtomicU64::new(seeds.start);
    let threads = threads();
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    crate::model::outbox::TEST_BATCH_MUTATIONS.set(SIMULATED_PUSH_BATCH);
                    let mut tally = Tally::default();
                    loop {
                        let seed = next.fetch_add(1, Ordering::Relaxed);
                        if seed >= seeds.end {
                            return tally;
                        }
                        let one = std::time::Instant::now();
                        let run = std::panic::catch_unwind(|| Simulation::new(seed).run());
                        match run {
                            Ok(Ok(stats)) => tally.stats += stats,
                            Ok(Err(failure)) => tally.failures.push((seed, failure)),
                            Err(panic) => tally.failures.push((seed, panicked(seed, &*panic))),
                        }
                        if one.elapsed() > tally.slowest.1 {
                            tally.slowest = (seed, one.elapsed());
                        }
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut total = Stats::default();
    let mut slowest = (0, std::time::Duration::ZERO);
    let mut failures = Vec::new();
    for tally in tallies {
        total += tally.stats;
        if tally.slowest.1 > slowest.1 {
            slowest = tally.slowest;
        }
        failures.extend(tally.failures);
    }
    let elapsed = started.elapsed();
    eprintln!(
        "simulation: {count} seeds in {elapsed:.1?} on {threads} threads ({:.2} seeds/s; slowest: \
         seed {} in {:.1?}); {total:?}",
        count as f64 / elapsed.as_secs_f64(),
        slowest.0,
        slowest.1
    );
    failures.sort_by_key(|(seed, _)| *seed);
    if let Some((_, first)) = failures.first() {
        let seeds: Vec<String> = failures.iter().map(|(seed, _)| seed.to_string()).collect();
        panic!(
            "{} seeds failed ({}); the first:\n{first}",
            failures.len(),
            seeds.join(", ")
        );
    }
}
