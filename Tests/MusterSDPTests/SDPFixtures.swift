/// Descriptions as real senders write them, kept byte-exact (CRLF versus LF, trailing blanks)
/// because those details are what the parser has to tolerate.
enum SDPFixtures {
    /// `ffmpeg -re -i in.mp4 -c copy -f rtsp rtsp://…` (libavformat 59, ffmpeg 5.1), ANNOUNCE body.
    static let ffmpegH264AAC = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\na=tool:libavformat 59.27.100\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QAH6zZQFAFuhAAAAMAEAAAAwMg8YMZYA==,aOvjyyLA; profile-level-id=64001F\r\na=control:streamid=0\r\nm=audio 0 RTP/AVP 97\r\nb=AS:128\r\na=rtpmap:97 MPEG4-GENERIC/44100/2\r\na=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=121056E500\r\na=control:streamid=1\r\n"

    /// An IP camera's DESCRIBE answer in the Hikvision style: LF endings, trailing blanks,
    /// `e=`, session-level `a=control:*` and `a=range`, absolute track URLs, static PT 0 with
    /// an rtpmap lacking channels, and a vendor metadata track Muster does not carry.
    static let camera = """
        v=0
        o=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64
        s=Media Presentation \n\
        e=NONE
        b=AS:5100
        t=0 0
        a=control:*
        a=range:npt=now- \n\
        m=video 0 RTP/AVP 96
        c=IN IP4 0.0.0.0
        b=AS:5000
        a=recvonly
        a=x-dimensions:1920,1080
        a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1
        a=rtpmap:96 H264/90000 \n\
        a=fmtp:96 profile-level-id=4D002A; packetization-mode=1; sprop-parameter-sets=Z00AKp2oHgCJ+WbgICAoAAADAAgAAAMBlCA=,aO48gA==
        m=audio 0 RTP/AVP 0
        c=IN IP4 0.0.0.0
        b=AS:50
        a=recvonly
        a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=2
        a=rtpmap:0 PCMU/8000
        m=application 0 RTP/AVP 107
        c=IN IP4 0.0.0.0
        a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=4
        a=rtpmap:107 isapi-metadata/90000
        a=Media_header:MEDIAINFO=494D4B48010200000400000110710110401F000000FA000000000000000000000000000000000000;

        """

    /// H.265 as ffmpeg announces it (no s=, as some encoders omit it, and no t=).
    static let h265 = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\nc=IN IP4 127.0.0.1\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwB4lZgJ; sprop-sps=QgEBAWAAAAMAkAAAAwAAAwB4oAPAgBDlllZpJMr/+AEADwCggICAoAAAAwAgAAADAyBA; sprop-pps=RAHBcrRiQA==\r\na=control:streamid=0\r\n"

    /// AAC in LATM (ffmpeg `-rtpflags latm`, GStreamer rtpmp4apay): 44.1 kHz stereo AAC-LC.
    static let latm = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=LATM\r\nt=0 0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 MP4A-LATM/44100\r\na=fmtp:96 profile-level-id=1;cpresent=0;object=2;config=400024203FC0\r\na=control:streamid=0\r\n"

    /// G.711 µ-law by static payload type only: RFC 3551 lets the rtpmap be left out.
    static let pcmuStatic = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=Audio\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n"

    /// MISB KLV next to H.264, as drone encoders announce it (RFC 6597), encoding in upper case.
    static let klv = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=UAS\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:streamid=0\r\nm=application 0 RTP/AVP 97\r\na=rtpmap:97 SMPTE336M/90000\r\na=control:streamid=1\r\n"
}
