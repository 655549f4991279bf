import Testing
@testable import MusterDirectory

/// `redacted` is what logs, the audit trail and the API show of a pull URL.
@Suite struct ChannelSourceTests {
    @Test func credentialsInTheAuthorityAreHidden() {
        #expect(ChannelSource.pull("rtsp://admin:secret@10.0.0.5:554/Streaming/101").redacted == "rtsp://***@10.0.0.5:554/Streaming/101")
        #expect(ChannelSource.pull("rtsp://user@cam.local/s").redacted == "rtsp://***@cam.local/s")
    }

    @Test func urlsWithoutUserinfoAreUnchanged() {
        #expect(ChannelSource.pull("rtmp://live.example/app/key").redacted == "rtmp://live.example/app/key")
        // An '@' after the authority is not userinfo.
        #expect(ChannelSource.pull("rtsp://10.0.0.5/stream?user=a@b").redacted == "rtsp://10.0.0.5/stream?user=a@b")
        #expect(ChannelSource.pull("/srv/clips/demo.mp4").redacted == "/srv/clips/demo.mp4")
        #expect(ChannelSource.push.redacted == "push")
    }

    @Test func storedValueRoundTrips() {
        #expect(ChannelSource(storedValue: "push") == .push)
        #expect(ChannelSource(storedValue: "rtsp://h/s") == .pull("rtsp://h/s"))
        #expect(ChannelSource.pull("rtsp://h/s").storedValue == "rtsp://h/s")
    }
}
