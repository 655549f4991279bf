import Synchronization

/// Slows down password guessing: remembers failed authentications per client address across
/// all connections of one server, and locks an address out for a while after too many.
///
/// What real servers do, and what this does:
/// - MediaMTX pauses a couple of seconds before answering a failed authentication. That alone
///   slows one connection, not a guesser that opens many; so a failed attempt is answered after
///   `pauseAfterFailure` here too (the handler waits without blocking its event loop), and
/// - like fail2ban in front of SSH, or OpenSSH's per-source penalties, an address with
///   `failuresBeforeLockout` failures within `failureWindow` (`RTSPAuthenticationPolicy`) is
///   refused for `lockoutDuration`: every request that needs credentials gets 403 without its
///   credentials being checked, so a locked-out guesser learns nothing. Users at other addresses
///   are not affected; users behind the same NAT are, the usual price of per-address limits.
/// A successful authentication does not clear the count: a guesser with one valid account could
/// otherwise interleave it to keep guessing another account's password.
///
/// The table holds at most `maximumTrackedAddresses` entries; when it is full, entries whose
/// window and lockout are over go first, then counting (not locked-out) addresses by oldest last
/// failure, and only then lockouts by earliest end: an attacker with many addresses cannot grow
/// memory, and cannot cheaply push its own lockout out.
package final class RTSPAuthenticationThrottle: Sendable {
    /// What the handler does after a failed authentication.
    package struct FailureVerdict: Equatable {
        /// This failure locked the address out.
        package var lockedOut: Bool
        /// Failures of the address in the current window.
        package var failures: Int
        /// Whether to log it, and how many earlier events were not logged.
        package var log: LogPermit?
    }

    package struct LogPermit: Equatable {
        /// Events since the last logged one that were not logged.
        package var suppressed: Int
    }

    private struct Entry {
        var windowStart: ContinuousClock.Instant
        var failures: Int
        var lastFailure: ContinuousClock.Instant
        var lockedUntil: ContinuousClock.Instant?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var logIntervalStart: ContinuousClock.Instant
        var loggedInInterval = 0
        var suppressed = 0
    }

    package let policy: RTSPAuthenticationPolicy
    private let now: RTSPClock
    private let state: Mutex<State>

    package init(policy: RTSPAuthenticationPolicy = .standard, now: @escaping RTSPClock = { .now }) {
        self.policy = policy
        self.now = now
        self.state = Mutex(State(logIntervalStart: now()))
    }

    /// How much longer `address` stays locked out, or nil when it may authenticate.
    package func lockout(of address: String) -> Duration? {
        let now = now()
        return state.withLock { state in
            guard let until = state.entries[address]?.lockedUntil, until > now else { return nil }
            return until - now
        }
    }

    /// Counts a failed authentication of `address`.
    package func recordFailure(from address: String) -> FailureVerdict {
        let now = now()
        return state.withLock { state in
            var entry: Entry
            if let existing = state.entries[address] {
                entry = existing
            } else {
                makeRoom(in: &state, now: now)
                entry = Entry(windowStart: now, failures: 0, lastFailure: now, lockedUntil: nil)
            }
            if now - entry.windowStart >= policy.failureWindow {
                entry.windowStart = now
                entry.failures = 0
            }
            entry.failures += 1
            entry.lastFailure = now
            var lockedOut = false
            if entry.failures >= policy.failuresBeforeLockout, entry.lockedUntil.map({ $0 <= now }) ?? true {
                entry.lockedUntil = now + policy.lockoutDuration
                lockedOut = true
            }
            state.entries[address] = entry
            return FailureVerdict(lockedOut: lockedOut, failures: entry.failures, log: permitLog(in: &state, now: now))
        }
    }

    /// Whether to log a refusal of a locked-out address (bounded like failures).
    package func permitRefusalLog() -> LogPermit? {
        let now = now()
        return state.withLock { permitLog(in: &$0, now: now) }
    }

    /// Addresses currently remembered.
    package var trackedAddressCount: Int { state.withLock { $0.entries.count } }

    private func permitLog(in state: inout State, now: ContinuousClock.Instant) -> LogPermit? {
        if now - state.logIntervalStart >= policy.logInterval {
            state.logIntervalStart = now
            state.loggedInInterval = 0
        }
        guard state.loggedInInterval < policy.logLinesPerInterval else {
            state.suppressed += 1
            return nil
        }
        state.loggedInInterval += 1
        defer { state.suppressed = 0 }
        return LogPermit(suppressed: state.suppressed)
    }

    /// Frees an eighth of the table when it is full, so the sorting is paid once per many new
    /// addresses rather than for each.
    private func makeRoom(in state: inout State, now: ContinuousClock.Instant) {
        guard state.entries.count >= policy.maximumTrackedAddresses else { return }
        let keep = policy.maximumTrackedAddresses - max(1, policy.maximumTrackedAddresses / 8)
        state.entries = state.entries.filter { _, entry in
            now - entry.windowStart < policy.failureWindow || entry.lockedUntil.map { $0 > now } ?? false
        }
        guard state.entries.count > keep else { return }
        // Still full of live entries: addresses that are only counting go before locked-out
        // ones, so pushing a lockout out takes as many other locked-out addresses as the table holds.
        func rank(_ entry: Entry) -> (Int, ContinuousClock.Instant) {
            if let until = entry.lockedUntil, until > now { return (1, until) }
            return (0, entry.lastFailure)
        }
        let order = state.entries.sorted { rank($0.value) < rank($1.value) }
        for (address, _) in order.prefix(state.entries.count - keep) {
            state.entries[address] = nil
        }
    }
}
