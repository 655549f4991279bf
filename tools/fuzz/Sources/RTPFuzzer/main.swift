import FuzzSupport
import MusterCore
import MusterRTP
import NIOCore

// Input: a sequence of datagrams, each [length: UInt16 BE][bytes]; a short last one takes what
// is left. Each datagram is parsed as RTCP (with and without the SR/RR-first rule) and as RTP;
// every RTP packet goes, in order, to one depacketizer per payload format (H.264, H.265, AAC
// as MPEG4-GENERIC and as MP4A-LATM, KLV), so reassembly state (FU, AAC fragments, LATM
// elements, KLV units, access units) carries across the sequence.

let aac = MediaTrack(id: 2, codec: .aac, clockRate: 48_000, channels: 2, audioSpecificConfig: ByteBuffer(bytes: [0x11, 0x90]))
let receivers: [(MediaTrack, RTPPayloadFormat)] = [
    (MediaTrack(id: 0, codec: .h264, clockRate: 90_000), .standard),
    (MediaTrack(id: 1, codec: .h265, clockRate: 90_000), .standard),
    (aac, .standard),
    (aac, .mp4aLATM),
    (MediaTrack(id: 3, codec: .klv, clockRate: 90_000), .standard),
]

runFuzzer { buffer in
    var input = FuzzBytes(buffer)
    var depacketizers = receivers.map { RTPDepacketizer(track: $0.0, payloadFormat: $0.1) }
    var packetCount = 0
    while !input.isEmpty {
        let length = Int(input.uint16())
        let datagram = ByteBuffer(bytes: input.take(length))

        if let compound = try? RTCPCompoundPacket(parsing: datagram, requireReportFirst: false) {
            for item in compound.items where item.packetType == RTCPPacketType.senderReport {
                _ = try? RTCPSenderReport(parsing: item)
            }
            var written = ByteBuffer()
            compound.write(to: &written)
        }
        _ = try? RTCPCompoundPacket(parsing: datagram)

        guard let packet = try? RTPPacket(parsing: datagram) else { continue }
        packetCount += 1
        for index in depacketizers.indices {
            for unit in depacketizers[index].depacketize(packet) {
                _ = unit.payload.readableBytes
            }
            fuzzCheck(
                depacketizers[index].droppedPackets <= packetCount,
                "\(depacketizers[index].track.codec) (\(depacketizers[index].payloadFormat)) dropped \(depacketizers[index].droppedPackets) of \(packetCount) packets"
            )
        }
    }
}
