import Testing
@testable import MusterCore

struct StreamRateMeterTests {
    @Test func averagesWholeSecondsOfTheWindow() {
        var meter = StreamRateMeter()
        for second in Int64(100)..<110 {
            for _ in 0..<25 { meter.record(bytes: 10_000, isVideoFrame: true, atSecond: second) }
            meter.record(bytes: 500, isVideoFrame: false, atSecond: second)
        }
        let rates = meter.rates(atSecond: 110)
        #expect(rates.framesPerSecond == 25)
        #expect(rates.bitsPerSecond == (25 * 10_000 + 500) * 8)
    }

    @Test func aYoungStreamIsAveragedOverItsOwnSecondsOnly() {
        var meter = StreamRateMeter()
        for second in Int64(50)..<52 {
            for _ in 0..<10 { meter.record(bytes: 100, isVideoFrame: true, atSecond: second) }
        }
        #expect(meter.rates(atSecond: 50).framesPerSecond == 0, "the first second is still filling")
        #expect(meter.rates(atSecond: 52).framesPerSecond == 10)
    }

    @Test func silenceBringsTheRatesDown() {
        var meter = StreamRateMeter()
        for _ in 0..<25 { meter.record(bytes: 1000, isVideoFrame: true, atSecond: 10) }
        #expect(meter.rates(atSecond: 11).framesPerSecond == 25)
        #expect(meter.rates(atSecond: 20).framesPerSecond == 0)
        #expect(meter.rates(atSecond: 20).bitsPerSecond == 0)
    }
}
