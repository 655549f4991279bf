import FuzzSupport
import MusterCore
import MusterSDP
import NIOCore

// Input: an SDP body, as an ANNOUNCE or a camera's DESCRIBE answer carries it. Every media
// section is read as a MediaTrack, which decodes rtpmap and fmtp (sprop-parameter-sets,
// sprop-vps/sps/pps, AAC config). What parses is serialized again, as the server does when it
// answers DESCRIBE for a published stream.

runFuzzer { buffer in
    guard let description = try? SDPSessionDescription(parsing: ByteBuffer(bytes: buffer)) else { return }
    _ = description.serialized()
    for (id, media) in description.media.enumerated() {
        guard let track = try? MediaTrack(sdpMedia: media, id: id) else { continue }
        _ = SDPMedia(track: track, payloadType: track.rtpPayloadType, control: "trackID=\(id)")
    }
}
