import MusterRTP
import Testing

@Suite struct RTPTimestampUnwrapperTests {
    @Test func firstTimestampIsZeroAndForwardWrapKeepsCounting() {
        var unwrapper = RTPTimestampUnwrapper()
        #expect(unwrapper.unwrap(0xFFFF_FF00) == 0)
        #expect(unwrapper.unwrap(0xFFFF_FFFF) == 0xFF)
        #expect(unwrapper.unwrap(0x0000_0100) == 0x200)
        #expect(unwrapper.unwrap(0x0000_2000) == 0x2100)
    }

    @Test func olderPacketAcrossTheWrapLandsBefore() {
        var unwrapper = RTPTimestampUnwrapper()
        #expect(unwrapper.unwrap(0xFFFF_FF00) == 0)
        #expect(unwrapper.unwrap(0x0000_0100) == 0x200)
        // Reordered: a packet from before the wrap.
        #expect(unwrapper.unwrap(0xFFFF_FFF0) == 0xF0)
        #expect(unwrapper.unwrap(0x0000_0200) == 0x300)
    }

    @Test func backwardsFromTheFirstTimestampGoesNegative() {
        var unwrapper = RTPTimestampUnwrapper()
        #expect(unwrapper.unwrap(10) == 0)
        #expect(unwrapper.unwrap(0xFFFF_FFFF) == -11)
    }

    @Test func manyWrapsExtendPastThirtyTwoBits() {
        var unwrapper = RTPTimestampUnwrapper()
        var timestamp: UInt32 = 0x8000_0000
        var previous = unwrapper.unwrap(timestamp)
        for _ in 0..<20 {
            timestamp &+= 0x4000_0000
            let extended = unwrapper.unwrap(timestamp)
            #expect(extended == previous + 0x4000_0000)
            previous = extended
        }
        #expect(previous == 20 * 0x4000_0000)
        unwrapper.reset()
        #expect(unwrapper.unwrap(5) == 0)
    }
}
