import Foundation
import MusterTestSupport
import Testing
@testable import MusterPositionFormats

/// Floating-point comparison for values computed from decimal text.
func isClose(_ actual: Double?, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
    guard let actual else { return false }
    return abs(actual - expected) <= tolerance
}

/// The rejection reason `body` throws, or nil when it does not throw.
func rejectionReason<T>(_ body: () throws -> T) -> PositionRejection.Reason? {
    rejection(body)?.reason
}

/// The full rejection `body` throws, or nil when it does not throw.
/// (Closures do not infer typed throws yet, hence `throws` and a cast.)
func rejection<T>(_ body: () throws -> T) -> PositionRejection? {
    do {
        _ = try body()
        return nil
    } catch let error as PositionRejection {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// Variants of `fixture` with random bytes replaced, inserted, deleted or the input truncated,
/// for checking that parsers survive arbitrary damage without crashing.
func mutations(of fixture: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        var bytes = fixture
        for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: position)
            case 2: bytes.remove(at: position)
            default: bytes.removeSubrange(position...)
            }
        }
        return bytes
    }
}
