import MusterCore
import MusterSDP

/// The SDP Muster answers DESCRIBE with (RFC 2326 Appendix C).
enum RTSPStreamDescription {
    static func sessionDescription(for tracks: [MediaTrack], path: String, serverName: String) -> SDPSessionDescription {
        let media = tracks.map { track in
            SDPMedia(track: track, payloadType: track.rtpPayloadType, control: "trackID=\(track.id)")
        }
        return SDPSessionDescription(
            origin: SDPOrigin(
                username: "-", sessionID: String(UInt32.random(in: 1...UInt32.max)), sessionVersion: "1",
                networkType: "IN", addressType: "IP4", address: "0.0.0.0"
            ),
            sessionName: path,
            connection: SDPConnection(networkType: "IN", addressType: "IP4", address: "0.0.0.0"),
            timing: "0 0",
            attributes: [SDPAttribute(name: "tool", value: serverName), SDPAttribute(name: "control", value: "*")],
            media: media
        )
    }
}
