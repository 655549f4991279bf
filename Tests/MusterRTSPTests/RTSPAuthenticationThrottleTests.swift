@testable import MusterRTSP
import Testing

@Suite struct RTSPAuthenticationThrottleTests {
    static let policy = RTSPAuthenticationPolicy(
        failuresBeforeLockout: 3, failureWindow: .seconds(60), lockoutDuration: .seconds(300),
        maximumTrackedAddresses: 16, logLinesPerInterval: 2, logInterval: .seconds(60)
    )

    @Test func locksOutOnlyTheAddressThatKeepsFailing() {
        let clock = ManualClock()
        let throttle = RTSPAuthenticationThrottle(policy: Self.policy, now: clock.now)
        #expect(throttle.recordFailure(from: "192.0.2.7").lockedOut == false)
        #expect(throttle.recordFailure(from: "192.0.2.7").lockedOut == false)
        #expect(throttle.lockout(of: "192.0.2.7") == nil)
        #expect(throttle.recordFailure(from: "192.0.2.7").lockedOut == true)
        #expect(throttle.lockout(of: "192.0.2.7") == .seconds(300))
        #expect(throttle.lockout(of: "192.0.2.8") == nil, "another address is not affected")
        #expect(throttle.recordFailure(from: "192.0.2.8").failures == 1)

        clock.advance(by: .seconds(299))
        #expect(throttle.lockout(of: "192.0.2.7") == .seconds(1))
        clock.advance(by: .seconds(1))
        #expect(throttle.lockout(of: "192.0.2.7") == nil, "the lockout ends")
        #expect(throttle.recordFailure(from: "192.0.2.7").failures == 1, "and the count starts over")
    }

    @Test func failuresCountWithinTheirWindowOnly() {
        let clock = ManualClock()
        let throttle = RTSPAuthenticationThrottle(policy: Self.policy, now: clock.now)
        for _ in 0..<5 {
            #expect(throttle.recordFailure(from: "2001:db8::1").lockedOut == false)
            #expect(throttle.recordFailure(from: "2001:db8::1").lockedOut == false)
            clock.advance(by: .seconds(61))
        }
        #expect(throttle.lockout(of: "2001:db8::1") == nil)
    }

    @Test func theTableStaysBoundedAndKeepsLockouts() {
        let clock = ManualClock()
        let throttle = RTSPAuthenticationThrottle(policy: Self.policy, now: clock.now)
        for _ in 0..<3 { _ = throttle.recordFailure(from: "198.51.100.1") }
        #expect(throttle.lockout(of: "198.51.100.1") != nil)
        // Thousands of addresses, each failing once (an attacker with many addresses).
        for index in 0..<5000 {
            clock.advance(by: .milliseconds(1))
            _ = throttle.recordFailure(from: "10.\(index / 65536).\(index / 256 % 256).\(index % 256)")
            #expect(throttle.trackedAddressCount <= Self.policy.maximumTrackedAddresses)
        }
        #expect(throttle.lockout(of: "198.51.100.1") != nil, "single failures do not push a lockout out")

        // Once their windows and lockouts are over, old entries make room before live ones.
        clock.advance(by: .seconds(301))
        let fresh = (0..<15).map { "172.16.0.\($0)" }
        for address in fresh { _ = throttle.recordFailure(from: address) }
        for address in fresh { #expect(throttle.recordFailure(from: address).failures == 2, "\(address) was kept") }
        #expect(throttle.trackedAddressCount <= Self.policy.maximumTrackedAddresses)
    }

    @Test func logsAtABoundedRateAndCountsWhatItLeftOut() {
        let clock = ManualClock()
        let throttle = RTSPAuthenticationThrottle(policy: Self.policy, now: clock.now)
        let verdicts = (0..<10).map { throttle.recordFailure(from: "203.0.113.\($0)") }
        #expect(verdicts.compactMap(\.log) == [.init(suppressed: 0), .init(suppressed: 0)])
        #expect(throttle.permitRefusalLog() == nil)
        clock.advance(by: .seconds(60))
        #expect(throttle.permitRefusalLog() == .init(suppressed: 9))
        #expect(throttle.recordFailure(from: "203.0.113.1").log == .init(suppressed: 0))
    }
}
