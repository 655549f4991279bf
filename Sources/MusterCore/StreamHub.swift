import Foundation
import NIOCore
import Synchronization

/// The live meeting point of one channel: one publisher writes access units, any number of
/// readers receive them, starting from the cached group of pictures.
public final class StreamHub: Sendable {
    public let path: String

    private struct State {
        var tracks: [MediaTrack]? = nil
        var publisherID: UInt64? = nil
        var nextPublisherID: UInt64 = 1
        var readers: [ObjectIdentifier: any StreamReader] = [:]
        var cache = GOPCache<AccessUnit>()
        var statistics = StreamHubStatistics()
        var meter = StreamRateMeter()
        var onlineSince: Date? = nil
    }

    private let state = Mutex(State())
    private let events: GatewayEventBus?

    public init(path: String, events: GatewayEventBus? = nil) {
        self.path = path
        self.events = events
    }

    /// The tracks of the running publisher, or nil while nobody publishes.
    public var tracks: [MediaTrack]? { state.withLock { $0.tracks } }

    public var statistics: StreamHubStatistics { state.withLock { $0.statistics } }

    /// A publisher is live and a new reader would start at once: with a keyframe for a stream
    /// with video.
    public var isReadyToPlay: Bool {
        state.withLock { state in
            guard let tracks = state.tracks else { return false }
            return !tracks.contains { $0.kind == .video } || !state.cache.elements.isEmpty
        }
    }

    /// Makes the caller the publisher of this stream.
    /// - Throws: `MusterCoreError.alreadyPublishing` while another publisher is active.
    public func beginPublishing(tracks: [MediaTrack]) throws(MusterCoreError) -> StreamPublisher {
        let id = try state.withLock { state throws(MusterCoreError) -> UInt64 in
            guard state.publisherID == nil else { throw .alreadyPublishing(path: path) }
            let id = state.nextPublisherID
            state.nextPublisherID += 1
            state.publisherID = id
            state.tracks = tracks
            state.cache.removeAll()
            state.statistics.publishersStarted += 1
            state.onlineSince = Date()
            state.meter = StreamRateMeter()
            events?.publish(GatewayEvent(.channelOnline, channel: path))
            for reader in state.readers.values { reader.streamHub(self, didStartWith: tracks) }
            return id
        }
        return StreamPublisher(hub: self, id: id)
    }

    fileprivate func write(_ unit: AccessUnit, from publisherID: UInt64) {
        state.withLock { state in
            guard state.publisherID == publisherID, let tracks = state.tracks,
                  tracks.indices.contains(unit.trackID) else { return }
            let startsGroup = unit.isKeyframe && tracks[unit.trackID].kind == .video
            if startsGroup, let updated = tracks[unit.trackID].updatingParameterSets(from: unit.payload) {
                state.tracks?[unit.trackID] = updated
                for reader in state.readers.values { reader.streamHub(self, didUpdate: updated) }
            }
            let hasVideo = tracks.contains { $0.kind == .video }
            if hasVideo {
                state.cache.append(unit, bytes: unit.payload.readableBytes, startsGroup: startsGroup)
            }
            state.statistics.unitsReceived += 1
            state.statistics.bytesReceived += UInt64(unit.payload.readableBytes)
            state.meter.record(
                bytes: unit.payload.readableBytes, isVideoFrame: tracks[unit.trackID].kind == .video,
                atSecond: Self.currentSecond
            )
            for reader in state.readers.values { reader.streamHub(self, didReceive: unit) }
        }
    }

    fileprivate func update(_ track: MediaTrack, from publisherID: UInt64) {
        state.withLock { state in
            guard state.publisherID == publisherID, let tracks = state.tracks, tracks.indices.contains(track.id) else { return }
            state.tracks?[track.id] = track
            for reader in state.readers.values { reader.streamHub(self, didUpdate: track) }
        }
    }

    fileprivate func endPublishing(_ publisherID: UInt64) {
        state.withLock { state in
            guard state.publisherID == publisherID else { return }
            stopPublishing(&state)
        }
    }

    /// Ends the current publisher's stream, if any, as if it had stopped: readers are told, and
    /// later writes through its handle are ignored. Used when the channel is removed.
    public func stopPublisher() {
        state.withLock { state in
            guard state.publisherID != nil else { return }
            stopPublishing(&state)
        }
    }

    private func stopPublishing(_ state: inout State) {
        state.publisherID = nil
        state.tracks = nil
        state.cache.removeAll()
        state.onlineSince = nil
        for reader in state.readers.values { reader.streamHubDidStop(self) }
        events?.publish(GatewayEvent(.channelOffline, channel: path))
    }

    /// What the stream is doing now, for the API and metrics.
    public var status: StreamHubStatus {
        state.withLock { state in
            let rates = state.meter.rates(atSecond: Self.currentSecond)
            let video = state.tracks?.first { $0.kind == .video }
            return StreamHubStatus(
                tracks: state.tracks, onlineSince: state.onlineSince,
                bitsPerSecond: state.tracks == nil ? 0 : rates.bitsPerSecond,
                framesPerSecond: state.tracks == nil ? 0 : rates.framesPerSecond,
                width: video?.width, height: video?.height, statistics: state.statistics
            )
        }
    }

    private static var currentSecond: Int64 { Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000_000) }

    /// Adds a reader. If a publisher is live, the reader gets the tracks and the cached group of
    /// pictures at once, then every live unit.
    public func addReader(_ reader: any StreamReader) {
        state.withLock { state in
            state.readers[ObjectIdentifier(reader)] = reader
            guard let tracks = state.tracks else { return }
            reader.streamHub(self, didStartWith: tracks)
            for unit in state.cache.elements { reader.streamHub(self, didReceive: unit) }
        }
    }

    public func removeReader(_ reader: any StreamReader) {
        _ = state.withLock { $0.readers.removeValue(forKey: ObjectIdentifier(reader)) }
    }

    public var readerCount: Int { state.withLock { $0.readers.count } }
}

/// The publisher's handle on a hub. Writing through a handle whose publishing ended does nothing,
/// so a late write from a stopped source can never mix into its successor's stream.
public struct StreamPublisher: Sendable {
    public let hub: StreamHub
    fileprivate let id: UInt64

    public func write(_ unit: AccessUnit) { hub.write(unit, from: id) }
    /// Replaces the description of one track mid-stream (a new picture size); readers are told,
    /// and units written after it follow it.
    public func update(_ track: MediaTrack) { hub.update(track, from: id) }
    public func end() { hub.endPublishing(id) }
}

/// A snapshot of a hub: whether it is live, with what, and how fast media arrives.
public struct StreamHubStatus: Sendable, Hashable {
    /// The publisher's tracks; nil while nobody publishes.
    public var tracks: [MediaTrack]?
    public var onlineSince: Date?
    public var bitsPerSecond: Int
    public var framesPerSecond: Double
    public var width: Int?
    public var height: Int?
    public var statistics: StreamHubStatistics

    public var isOnline: Bool { tracks != nil }
}

/// Counters of one hub since it was created.
public struct StreamHubStatistics: Sendable, Hashable {
    public var publishersStarted: UInt64 = 0
    public var unitsReceived: UInt64 = 0
    public var bytesReceived: UInt64 = 0
}
