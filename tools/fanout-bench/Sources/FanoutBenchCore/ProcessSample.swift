#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// CPU time and resident memory of one process, read from procfs (proc(5)).
public struct ProcessSample: Sendable, Equatable {
    /// utime + stime of all its threads, in seconds.
    public var cpuSeconds: Double
    /// VmRSS in KiB.
    public var rssKiB: Int
    /// RssAnon in KiB: the heap and stacks, without the mapped libraries and files.
    public var anonymousKiB: Int

    public init(cpuSeconds: Double, rssKiB: Int, anonymousKiB: Int = 0) {
        self.cpuSeconds = cpuSeconds
        self.rssKiB = rssKiB
        self.anonymousKiB = anonymousKiB
    }

    /// Reads `/proc/PID/stat` and `/proc/PID/status`; nil when the process is gone.
    public static func read(pid: Int32) -> ProcessSample? {
        guard let stat = readSmallFile("/proc/\(pid)/stat"), let status = readSmallFile("/proc/\(pid)/status"),
              let cpu = cpuSeconds(statLine: stat), let rss = rssKiB(status: status)
        else { return nil }
        return ProcessSample(cpuSeconds: cpu, rssKiB: rss, anonymousKiB: kiB(of: "RssAnon:", status: status) ?? 0)
    }

    /// Fields 14 and 15 (utime, stime) in clock ticks; counted after the `)` that ends the command
    /// name, which may itself hold spaces and parentheses.
    public static func cpuSeconds(statLine: String, ticksPerSecond: Double = clockTicksPerSecond) -> Double? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return (utime + stime) / ticksPerSecond
    }

    public static func rssKiB(status: String) -> Int? { kiB(of: "VmRSS:", status: status) }

    /// A `Name:   1234 kB` field of /proc/PID/status.
    public static func kiB(of field: String, status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            return Int(line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }

    public static let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}

/// Time all cores spent busy and in softirq (network receive on loopback among it), from the
/// `cpu` line of /proc/stat, in seconds.
public struct MachineSample: Sendable, Equatable {
    public var busySeconds: Double
    public var softIRQSeconds: Double

    public init(busySeconds: Double, softIRQSeconds: Double) {
        self.busySeconds = busySeconds
        self.softIRQSeconds = softIRQSeconds
    }

    public static func read() -> MachineSample? {
        guard let stat = ProcessSample.readSmallFile("/proc/stat"),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return nil }
        return parse(cpuLine: String(line))
    }

    /// `cpu user nice system idle iowait irq softirq steal ...` in clock ticks.
    public static func parse(cpuLine: String, ticksPerSecond: Double = ProcessSample.clockTicksPerSecond) -> MachineSample? {
        let fields = cpuLine.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return nil }
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
        return MachineSample(busySeconds: busy / ticksPerSecond, softIRQSeconds: fields[6] / ticksPerSecond)
    }
}
