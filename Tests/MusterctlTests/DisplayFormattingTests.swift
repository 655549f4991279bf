import Foundation
import Testing

@testable import musterctl

@Suite struct DisplayFormattingTests {
    @Test func bitrates() {
        #expect(DisplayFormatting.bitrate(0) == "0")
        #expect(DisplayFormatting.bitrate(999) == "999 bit/s")
        #expect(DisplayFormatting.bitrate(850_000) == "850 kbit/s")
        #expect(DisplayFormatting.bitrate(2_100_000) == "2.1 Mbit/s")
        #expect(DisplayFormatting.bitrate(1_200_000_000) == "1.2 Gbit/s")
    }

    @Test func byteCounts() {
        #expect(DisplayFormatting.byteCount(512) == "512 B")
        #expect(DisplayFormatting.byteCount(12_595) == "12.3 KiB")
        #expect(DisplayFormatting.byteCount(12_345_678) == "11.8 MiB")
        #expect(DisplayFormatting.byteCount(3 << 30) == "3.0 GiB")
    }

    @Test func durations() {
        #expect(DisplayFormatting.duration(seconds: 45.9) == "45s")
        #expect(DisplayFormatting.duration(seconds: 723) == "12m 03s")
        #expect(DisplayFormatting.duration(seconds: 11_040) == "3h 04m")
        #expect(DisplayFormatting.duration(seconds: 273_123.4) == "3d 03h")
    }

    @Test func timestampsInAGivenZone() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(DisplayFormatting.timestamp("2025-03-01T12:00:03Z", in: berlin) == "2025-03-01 13:00:03")
        #expect(DisplayFormatting.timestamp("2025-07-01T12:00:03.250Z", in: berlin) == "2025-07-01 14:00:03")
        #expect(DisplayFormatting.timestamp("yesterday", in: berlin) == "yesterday")
        #expect(DisplayFormatting.timestamp(nil, in: berlin) == "")
    }

    @Test func numbersAndCounts() {
        #expect(DisplayFormatting.number(25) == "25")
        #expect(DisplayFormatting.number(29.97) == "30.0")
        #expect(DisplayFormatting.count(1, "publisher") == "1 publisher")
        #expect(DisplayFormatting.count(0, "consumer") == "0 consumers")
        #expect(DisplayFormatting.coordinates(latitude: 48.8566, longitude: -2.35) == "48.85660, -2.35000")
    }

    @Test func shellWords() {
        #expect(DisplayFormatting.shellWord("eyJhIjoxfQ==") == "eyJhIjoxfQ==")
        #expect(DisplayFormatting.shellWord("a b") == "'a b'")
        #expect(DisplayFormatting.shellWord("it's") == #"'it'\''s'"#)
        #expect(DisplayFormatting.shellWord("") == "''")
    }
}
