//! One handler per event type (or family of event types): whether the
//! event can happen now given what every goroutine, proc and thread is
//! doing, what it changes, and the context it happened in. Each checks the
//! named requirements of its event on that context first, as Go's own
//! `internal/trace` ordering does.

use super::*;
use crate::spec::ev::*;

impl Ordering {
    /// PROC_STATUS.
    pub(super) fn proc_status(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let initial = gen == self.initial_gen;
        let pid = a[0] as i64;
        let status = a[1];
        if !(1..=4).contains(&status) {
            return Err(format!("invalid status for proc {pid}: {status}"));
        }
        let mut old = ProcState::from_wire(status);
        let mut status_out = status;
        let mut ctx = cur;
        match self.ps.get_mut(&pid) {
            Some(s) => {
                if status == P_ABANDONED && s.status == P_SYSCALL {
                    old = ProcState::Running;
                    status_out = P_SYSCALL;
                } else if status == P_ABANDONED && s.status == P_ABANDONED {
                    old = ProcState::Idle;
                } else if s.status != status {
                    return Err(format!(
                        "inconsistent status for proc {pid}: old {} vs. new {}",
                        proc_status_name(s.status),
                        proc_status_name(status)
                    ));
                }
                s.seq = Seq(gen, 0);
            }
            None => {
                self.ps.insert(
                    pid,
                    PState {
                        status,
                        seq: Seq(gen, 0),
                        ranges: Vec::new(),
                    },
                );
                old = if initial {
                    ProcState::Undetermined
                } else {
                    ProcState::NotExist
                };
            }
        }
        let mut new = cur;
        if status == P_RUNNING || status == P_SYSCALL {
            new.p = pid;
        }
        if status == P_ABANDONED && old == ProcState::Running {
            // The P is about to be stolen from the thread that holds it:
            // report the transition in that thread's context.
            let holder = self.ms.iter().find(|(_, ms)| ms.known && ms.p == pid);
            match holder {
                Some(&(mid, ms)) => {
                    ctx = Ctx {
                        m: mid,
                        p: pid,
                        g: ms.g,
                    }
                }
                None => {
                    return Err(format!(
                        "failed to find sched context for proc {pid} that's about to be stolen"
                    ))
                }
            }
        }
        let old_code = old as u64;
        self.emit_with(e, ctx, |o| {
            o.args[1] = status_out;
            o.extra[0] = old_code;
        });
        Ok(Some(new))
    }

    /// PROC_START.
    pub(super) fn proc_start(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let pid = a[0] as i64;
        let seq = Seq(gen, a[1]);
        let ready =
            matches!(self.ps.get(&pid), Some(s) if s.status == P_IDLE && seq.follows(s.seq));
        if !ready || cur.p != NO_PROC {
            return Ok(None);
        }
        require(cur, THREAD_WITHOUT_PROC)?;
        if let Some(s) = self.ps.get_mut(&pid) {
            s.status = P_RUNNING;
            s.seq = seq;
        }
        self.emit(e, cur);
        Ok(Some(Ctx { p: pid, ..cur }))
    }

    /// PROC_STOP.
    pub(super) fn proc_stop(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let Some(s) = self.ps.get_mut(&cur.p) else {
            return Err(format!(
                "event ProcStop for proc ({}) that doesn't exist",
                cur.p
            ));
        };
        if s.status != P_RUNNING && s.status != P_SYSCALL {
            return Err("ProcStop event for proc that's not Running or Syscall".into());
        }
        require(cur, PROC)?;
        s.status = P_IDLE;
        self.emit(e, cur);
        Ok(Some(Ctx { p: NO_PROC, ..cur }))
    }

    /// PROC_STEAL.
    pub(super) fn proc_steal(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let pid = a[0] as i64;
        let seq = Seq(gen, a[1]);
        let old = match self.ps.get(&pid) {
            Some(s) if (s.status == P_SYSCALL || s.status == P_ABANDONED) && seq.follows(s.seq) => {
                s.status
            }
            _ => return Ok(None),
        };
        require(cur, THREAD)?;
        if let Some(s) = self.ps.get_mut(&pid) {
            s.status = P_IDLE;
            s.seq = seq;
        }
        if old == P_ABANDONED {
            self.emit_with(e, cur, |o| o.extra[0] = old);
            return Ok(Some(cur));
        }
        let victim = a[2] as i64;
        let mut new = cur;
        if victim == cur.m {
            if cur.p != pid {
                return Err(format!(
                    "tried to self-steal proc {pid} (thread {victim}), but got proc {} instead",
                    cur.p
                ));
            }
            new.p = NO_PROC;
        } else {
            let Some(ms) = self.known_m(victim) else {
                return Err(format!("stole proc from non-existent thread {victim}"));
            };
            if ms.p != pid {
                return Err(format!(
                    "tried to steal proc {pid} from thread {victim}, but got proc {} instead",
                    ms.p
                ));
            }
            ms.p = NO_PROC;
        }
        self.emit_with(e, cur, |o| o.extra[0] = old);
        Ok(Some(new))
    }

    /// GO_STATUS, GO_STATUS_STACK.
    pub(super) fn go_status(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let initial = gen == self.initial_gen;
        let gid = a[0] as i64;
        let mid = a[1] as i64;
        let status = a[2];
        if !(1..=4).contains(&status) {
            return Err(format!("invalid status for goroutine {gid}: {status}"));
        }
        let mut old = GoState::from_wire(status);
        match self.gs.get_mut(&gid) {
            Some(s) => {
                if s.status != status {
                    return Err(format!(
                        "inconsistent status for goroutine {gid}: old {} vs. new {}",
                        go_status_name(s.status),
                        go_status_name(status)
                    ));
                }
                s.seq = Seq(gen, 0);
            }
            None if initial => {
                self.gs.insert(
                    gid,
                    GState::new(status, gen),
                );
                old = GoState::Undetermined;
            }
            None => {
                return Err(format!(
                    "found goroutine status for new goroutine after the first generation: id={gid} status={}",
                    go_status_name(status)
                ))
            }
        }
        let mut ctx = cur;
        let mut new = cur;
        match status {
            G_RUNNING => new.g = gid,
            G_SYSCALL => {
                if mid == NO_THREAD {
                    return Err(format!("found goroutine {gid} in syscall without a thread"));
                }
                if mid == cur.m {
                    if !initial && cur.g != gid {
                        return Err(format!(
                            "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                            cur.g
                        ));
                    }
                    new.g = gid;
                } else {
                    match self.known_m(mid) {
                        Some(ms) => {
                            if ms.g != gid {
                                return Err(format!(
                                    "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                                    ms.g
                                ));
                            }
                            ctx.g = ms.g;
                        }
                        None => {
                            let i = self.m_slot(mid);
                            self.ms[i].1 = MState {
                                g: gid,
                                p: NO_PROC,
                                known: true,
                            };
                        }
                    }
                    ctx.m = mid;
                }
            }
            _ => {}
        }
        let old_code = old as u64;
        self.emit_with(e, ctx, |o| o.extra[0] = old_code);
        Ok(Some(new))
    }

    /// GO_CREATE, GO_CREATE_BLOCKED.
    pub(super) fn go_create(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        require(cur, PROC)?;
        if let Some(s) = self.gs.get(&cur.g) {
            if s.status != G_RUNNING {
                return Err(format!(
                    "{} event for goroutine that's not Running",
                    name(e.typ)
                ));
            }
        }
        let new_g = a[0] as i64;
        if self.gs.contains_key(&new_g) {
            return Err(format!(
                "tried to create goroutine ({new_g}) that already exists"
            ));
        }
        let status = if e.typ == GO_CREATE_BLOCKED {
            G_WAITING
        } else {
            G_RUNNABLE
        };
        self.gs.insert(new_g, GState::new(status, gen));
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GO_DESTROY, GO_STOP, GO_BLOCK.
    pub(super) fn go_destroy(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        require(cur, USER_GOROUTINE)?;
        let s = self.current_g(e.typ, cur.g, G_RUNNING)?;
        match e.typ {
            GO_DESTROY => {
                self.gs.remove(&cur.g);
            }
            GO_STOP => s.status = G_RUNNABLE,
            _ => s.status = G_WAITING,
        }
        self.emit(e, cur);
        Ok(Some(Ctx {
            g: NO_GOROUTINE,
            ..cur
        }))
    }

    /// GO_START.
    pub(super) fn go_start(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let gid = a[0] as i64;
        let seq = Seq(gen, a[1]);
        let ready =
            matches!(self.gs.get(&gid), Some(s) if s.status == G_RUNNABLE && seq.follows(s.seq));
        if !ready {
            return Ok(None);
        }
        require(cur, PROC_WITHOUT_GOROUTINE)?;
        if let Some(s) = self.gs.get_mut(&gid) {
            s.status = G_RUNNING;
            s.seq = seq;
        }
        self.emit(e, cur);
        Ok(Some(Ctx { g: gid, ..cur }))
    }

    /// GO_UNBLOCK.
    pub(super) fn go_unblock(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let gid = a[0] as i64;
        let seq = Seq(gen, a[1]);
        match self.gs.get_mut(&gid) {
            Some(s) if s.status == G_WAITING && seq.follows(s.seq) => {
                s.status = G_RUNNABLE;
                s.seq = seq;
            }
            _ => return Ok(None),
        }
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GO_SWITCH, GO_SWITCH_DESTROY.
    pub(super) fn go_switch(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        require(cur, USER_GOROUTINE)?;
        self.current_g(e.typ, cur.g, G_RUNNING)?;
        let next = a[0] as i64;
        let seq = Seq(gen, a[1]);
        let ready =
            matches!(self.gs.get(&next), Some(s) if s.status == G_WAITING && seq.follows(s.seq));
        if !ready {
            return Ok(None);
        }
        self.emit(e, cur);
        // The switch is three things: the target is unblocked (above), the
        // current goroutine blocks or dies, the target starts.
        let mut follow = *e;
        follow.args = [0; 4];
        if e.typ == GO_SWITCH {
            if let Some(s) = self.gs.get_mut(&cur.g) {
                s.status = G_WAITING;
            }
            follow.typ = GO_BLOCK;
        } else {
            self.gs.remove(&cur.g);
            follow.typ = GO_DESTROY;
        }
        self.emit(&follow, cur);
        if let Some(s) = self.gs.get_mut(&next) {
            s.status = G_RUNNING;
            s.seq = seq;
        }
        let mut start = *e;
        start.typ = GO_START;
        start.args = [a[0], a[1], 0, 0];
        self.emit(
            &start,
            Ctx {
                g: NO_GOROUTINE,
                ..cur
            },
        );
        Ok(Some(Ctx { g: next, ..cur }))
    }

    /// GO_SYSCALL_BEGIN.
    pub(super) fn go_syscall_begin(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        require(cur, USER_GOROUTINE)?;
        self.current_g(e.typ, cur.g, G_RUNNING)?.status = G_SYSCALL;
        let ps = self.syscall_proc(e.typ, cur.p)?;
        ps.status = P_SYSCALL;
        let seq = Seq(gen, a[0]);
        if !seq.follows(ps.seq) {
            return Err(format!(
                "failed to advance GoSyscallBegin: can't make sequence: {} (gen={}) -> {} (gen={})",
                ps.seq.1, ps.seq.0, seq.1, seq.0
            ));
        }
        ps.seq = seq;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GO_SYSCALL_END.
    pub(super) fn go_syscall_end(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        require(cur, USER_GOROUTINE)?;
        self.current_g(e.typ, cur.g, G_SYSCALL)?.status = G_RUNNING;
        let ps = self.syscall_proc(e.typ, cur.p)?;
        if ps.status != P_SYSCALL {
            return Err(format!(
                "expected proc {} in state Syscall, but got {} instead",
                cur.p,
                proc_status_name(ps.status)
            ));
        }
        ps.status = P_RUNNING;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GO_SYSCALL_END_BLOCKED.
    pub(super) fn go_syscall_end_blocked(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        // Wait until the proc is taken away (ProcSteal elsewhere).
        if cur.p != NO_PROC && self.syscall_proc(e.typ, cur.p)?.status == P_SYSCALL {
            return Ok(None);
        }
        require(cur, THREAD_WITH_GOROUTINE)?;
        self.current_g(e.typ, cur.g, G_SYSCALL)?.status = G_RUNNABLE;
        self.emit(e, cur);
        Ok(Some(Ctx {
            g: NO_GOROUTINE,
            ..cur
        }))
    }

    /// GO_CREATE_SYSCALL.
    pub(super) fn go_create_syscall(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        require(cur, THREAD_WITHOUT_GOROUTINE)?;
        let new_g = a[0] as i64;
        if self.gs.contains_key(&new_g) {
            return Err(format!(
                "tried to create goroutine ({new_g}) in syscall that already exists"
            ));
        }
        self.gs.insert(new_g, GState::new(G_SYSCALL, gen));
        self.emit(e, cur);
        Ok(Some(Ctx { g: new_g, ..cur }))
    }

    /// GO_DESTROY_SYSCALL.
    pub(super) fn go_destroy_syscall(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        require(cur, THREAD_WITH_GOROUTINE)?;
        self.current_g(e.typ, cur.g, G_SYSCALL)?;
        self.gs.remove(&cur.g);
        let mut new = Ctx {
            g: NO_GOROUTINE,
            ..cur
        };
        if cur.p != NO_PROC {
            let Some(ps) = self.ps.get_mut(&cur.p) else {
                return Err(format!(
                    "found invalid proc {} during GoDestroySyscall",
                    cur.p
                ));
            };
            if ps.status != P_SYSCALL {
                return Err(format!(
                    "proc {} in unexpected state {} during GoDestroySyscall",
                    cur.p,
                    proc_status_name(ps.status)
                ));
            }
            // The thread may be reused for another goroutine: its proc is
            // abandoned, shown as a steal by itself.
            ps.status = P_ABANDONED;
            new.p = NO_PROC;
            let mut steal = *e;
            steal.typ = PROC_STEAL;
            steal.args = [cur.p as u64, 0, 0, 0];
            steal.extra = [P_SYSCALL, 0];
            self.emit(&steal, cur);
        }
        self.emit(e, cur);
        Ok(Some(new))
    }

    /// USER_TASK_BEGIN.
    pub(super) fn user_task_begin(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let id = a[0];
        if self.tasks.contains_key(&id) {
            return Err(format!("task ID conflict: {id}"));
        }
        let parent = if a[1] == BACKGROUND_TASK {
            NO_TASK
        } else {
            a[1]
        };
        self.tasks.insert(id, (a[2] as StrId, parent));
        require(cur, USER_GOROUTINE)?;
        self.emit_with(e, cur, |o| o.args[1] = parent);
        Ok(Some(cur))
    }

    /// USER_TASK_END.
    pub(super) fn user_task_end(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let (name, parent) = self.tasks.remove(&a[0]).unwrap_or((0, NO_TASK));
        require(cur, USER_GOROUTINE)?;
        self.emit_with(e, cur, |o| {
            o.extra[0] = parent;
            o.extra[1] = u64::from(name);
        });
        Ok(Some(cur))
    }

    /// USER_REGION_BEGIN, USER_REGION_END.
    pub(super) fn user_region_begin(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        require(cur, USER_GOROUTINE)?;
        let Some(s) = self.gs.get_mut(&cur.g) else {
            return Err(format!(
                "encountered {} without known state for current goroutine {}",
                name(e.typ),
                cur.g
            ));
        };
        let region = (a[0], a[1] as StrId);
        if e.typ == USER_REGION_BEGIN {
            s.regions.push(region);
        } else if let Some(&top) = s.regions.last() {
            // An end without a begin is a region that began before the trace.
            if top != region {
                return Err(format!(
                    "misuse of region in goroutine {}: region end does not match the inner-most active region",
                    cur.g
                ));
            }
            s.regions.pop();
        }
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GC_ACTIVE.
    pub(super) fn gc_active(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let initial = gen == self.initial_gen;
        let seq = a[0];
        if initial {
            if self.gc.is_some() {
                return Err("GCActive in the first generation isn't first GC event".into());
            }
            self.gc_seq = seq;
            self.gc = Some(Gc::Running);
            self.emit(e, cur);
            return Ok(Some(cur));
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(None);
        }
        if self.gc != Some(Gc::Running) {
            return Err("encountered GCActive while GC was not in progress".into());
        }
        self.gc_seq = seq;
        require(cur, USER_GOROUTINE)?;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GC_BEGIN.
    pub(super) fn gc_begin(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let seq = a[0];
        if self.gc.is_none() {
            self.gc_seq = seq;
            self.gc = Some(Gc::Running);
            self.emit(e, cur);
            return Ok(Some(cur));
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(None);
        }
        if self.gc == Some(Gc::Running) {
            return Err("encountered GCBegin while GC was already in progress".into());
        }
        self.gc_seq = seq;
        self.gc = Some(Gc::Running);
        require(cur, USER_GOROUTINE)?;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GC_END.
    pub(super) fn gc_end(&mut self, e: &Event, _gen: u64, cur: Ctx) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let seq = a[0];
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(None);
        }
        match self.gc {
            Some(Gc::NotRunning) => {
                return Err("encountered GCEnd when GC was not in progress".into())
            }
            None => return Err("encountered GCEnd when GC was in an undetermined state".into()),
            _ => {}
        }
        self.gc_seq = seq;
        self.gc = Some(Gc::NotRunning);
        require(cur, USER_GOROUTINE)?;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// An event that needs only its context to happen (metrics, labels,
    /// logs, experimental events): it happens now.
    pub(super) fn in_context(
        &mut self,
        e: &Event,
        cur: Ctx,
        reqs: Reqs,
    ) -> Result<Option<Ctx>, String> {
        require(cur, reqs)?;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GC_SWEEP_BEGIN, GC_SWEEP_END.
    pub(super) fn gc_sweep_begin(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        require(cur, PROC)?;
        let Some(ps) = self.ps.get_mut(&cur.p) else {
            return Err(format!("sweep event for unknown proc {}", cur.p));
        };
        if e.typ == GC_SWEEP_BEGIN {
            begin_range(&mut ps.ranges, (GC_SWEEP_BEGIN, 0))?;
        } else {
            end_range(&mut ps.ranges, e.typ)?;
        }
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GC_SWEEP_ACTIVE.
    pub(super) fn gc_sweep_active(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let initial = gen == self.initial_gen;
        let pid = a[0] as i64;
        let Some(ps) = self.ps.get_mut(&pid) else {
            return Err(format!("encountered GCSweepActive for unknown proc {pid}"));
        };
        active_range(&mut ps.ranges, (GC_SWEEP_BEGIN, 0), initial)?;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// STW_BEGIN, GC_MARK_ASSIST_BEGIN.
    pub(super) fn stw_begin(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        require(cur, USER_GOROUTINE)?;
        let desc = if e.typ == STW_BEGIN { a[0] as StrId } else { 0 };
        let Some(s) = self.gs.get_mut(&cur.g) else {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                e.typ, cur.g
            ));
        };
        begin_range(&mut s.ranges, (e.typ, desc))?;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// GC_MARK_ASSIST_ACTIVE.
    pub(super) fn gc_mark_assist_active(
        &mut self,
        e: &Event,
        gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        let a = e.args;
        let initial = gen == self.initial_gen;
        let gid = a[0] as i64;
        let Some(s) = self.gs.get_mut(&gid) else {
            return Err(format!(
                "uninitialized goroutine {gid} found during GCMarkAssistActive"
            ));
        };
        active_range(&mut s.ranges, (GC_MARK_ASSIST_BEGIN, 0), initial)?;
        self.emit(e, cur);
        Ok(Some(cur))
    }

    /// STW_END, GC_MARK_ASSIST_END.
    pub(super) fn stw_end(
        &mut self,
        e: &Event,
        _gen: u64,
        cur: Ctx,
    ) -> Result<Option<Ctx>, String> {
        require(cur, USER_GOROUTINE)?;
        let Some(s) = self.gs.get_mut(&cur.g) else {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                e.typ, cur.g
            ));
        };
        let desc = end_range(&mut s.ranges, e.typ)?;
        // STWEnd names the kind its begin had.
        self.emit_with(e, cur, |o| {
            if o.typ == STW_END {
                o.args[0] = u64::from(desc);
            }
        });
        Ok(Some(cur))
    }
}
