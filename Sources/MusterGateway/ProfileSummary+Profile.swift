import MusterAPI
import MusterFFmpeg

extension ProfileSummary {
    init(_ profile: TranscodeProfile) {
        let video = profile.video.map { recipe in
            let rate = recipe.framesPerSecond.map { " \($0)fps" } ?? ""
            return "\(recipe.codec.rawValue) \(recipe.maximumWidth)x\(recipe.maximumHeight)\(rate) \(recipe.bitrate / 1000)kbit/s"
        } ?? "passthrough"
        let audio = switch profile.audio {
        case .passthrough: "passthrough"
        case .drop: "drop"
        case .aac(let bitrate, let channels): "aac \(bitrate / 1000)kbit/s" + (channels.map { $0 == 1 ? " mono" : " \($0)ch" } ?? "")
        }
        self.init(name: profile.name, description: profile.description, video: video, audio: audio)
    }
}
