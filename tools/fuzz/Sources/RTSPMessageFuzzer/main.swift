import FuzzSupport
import MusterRTSP
import NIOCore

// Input: [chunk count][split offset 1: UInt16 BE][split offset 2: UInt16 BE] then the byte
// stream. The stream is fed to RTSPMessageParser in 1–3 chunks cut at the chosen offsets,
// calling next() after each chunk until it returns nil or throws, exactly as the connection
// handler does. The whole stream is also parsed in one chunk: framing must not depend on how
// TCP segmented the bytes. Every request's Transport header and URI, and the stream itself as
// a string, go through RTSPTransport.parseAlternatives and RTSPURL.

/// Messages read until the parser asked for more bytes or threw, and whether it threw.
struct ParseOutcome {
    var messages: [RTSPMessage] = []
    var error: RTSPParseError? = nil
}

func parse(_ stream: ArraySlice<UInt8>, cuts: [Int]) -> ParseOutcome {
    var parser = RTSPMessageParser()
    var outcome = ParseOutcome()
    var start = stream.startIndex
    for end in cuts.map({ stream.startIndex + $0 }) + [stream.endIndex] {
        parser.append(ByteBuffer(bytes: stream[start..<end]))
        start = end
        do {
            while let message = try parser.next() {
                outcome.messages.append(message)
                // Each message consumes at least one byte, so more messages than bytes means
                // the parser returned something without consuming it.
                fuzzCheck(outcome.messages.count <= stream.count, "more messages than input bytes")
            }
        } catch {
            outcome.error = error
            return outcome
        }
        fuzzCheck(parser.bufferedByteCount <= end - stream.startIndex, "parser holds more bytes than it was given")
    }
    return outcome
}

func exercise(_ text: String) {
    _ = try? RTSPTransport.parseAlternatives(text)
    if let url = RTSPURL(text) {
        _ = url.streamPath
    }
}

runFuzzer { buffer in
    var input = FuzzBytes(buffer)
    let chunkCount = Int(input.byte() % 3) + 1
    let rawCuts = [Int(input.uint16()), Int(input.uint16())]
    let stream = input.rest()
    let cuts = rawCuts.prefix(chunkCount - 1).map { $0 % (stream.count + 1) }.sorted()

    let chunked = parse(stream, cuts: cuts)
    let whole = cuts.isEmpty ? chunked : parse(stream, cuts: [])
    // The run that stopped first (by an error) must have read a prefix of the other's messages;
    // when neither failed, both read the same messages.
    let common = min(chunked.messages.count, whole.messages.count)
    fuzzCheck(
        chunked.messages.prefix(common) == whole.messages.prefix(common),
        "messages differ between chunked \(cuts) and whole parsing"
    )
    if chunked.error == nil, whole.error == nil {
        fuzzCheck(chunked.messages.count == whole.messages.count, "chunked \(cuts) and whole parsing read different message counts")
    }

    for message in chunked.messages {
        guard case .request(let request) = message else { continue }
        exercise(request.uri)
        if let transport = request.headers["Transport"] {
            exercise(transport)
        }
    }
    exercise(String(decoding: stream, as: UTF8.self))
}
