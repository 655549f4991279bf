/// Something that consumes a live stream: an RTSP fan-out, a transcoder, a recorder.
///
/// Callbacks run on the publisher's thread while the hub holds its lock, so that every reader sees
/// the cached group of pictures followed by the live units in order with no gap or duplicate.
/// A reader must therefore only hand the unit on (enqueue, schedule on its event loop) and
/// must never call back into the hub from a callback.
public protocol StreamReader: AnyObject, Sendable {
    /// A publisher started (or the reader joined a live stream) with these tracks.
    func streamHub(_ hub: StreamHub, didStartWith tracks: [MediaTrack])
    func streamHub(_ hub: StreamHub, didReceive unit: AccessUnit)
    /// A track's description changed mid-stream (new in-band parameter sets); units that
    /// follow use it.
    func streamHub(_ hub: StreamHub, didUpdate track: MediaTrack)
    /// The publisher went away; no more units follow until the next `didStartWith`.
    func streamHubDidStop(_ hub: StreamHub)
}

extension StreamReader {
    /// Most readers pass units on without caring for parameter sets.
    public func streamHub(_ hub: StreamHub, didUpdate track: MediaTrack) {}
}
