#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a small procfs file whole; nil when it cannot be opened.
public func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 8192)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
}

public let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

/// A process's CPU time (all threads, user + system) and memory, from /proc/PID/stat and status.
public struct ProcessSample: Sendable, Equatable, Codable {
    public var cpuSeconds: Double
    public var rssKiB: Int
    public var anonymousKiB: Int
    public var fileKiB: Int

    public init(cpuSeconds: Double, rssKiB: Int, anonymousKiB: Int, fileKiB: Int) {
        self.cpuSeconds = cpuSeconds
        self.rssKiB = rssKiB
        self.anonymousKiB = anonymousKiB
        self.fileKiB = fileKiB
    }

    /// `pid` "self" reads this process.
    public static func read(pid: String) -> ProcessSample? {
        guard let stat = readProcFile("/proc/\(pid)/stat"), let status = readProcFile("/proc/\(pid)/status"),
              let cpu = cpuSeconds(statLine: stat) else { return nil }
        return ProcessSample(
            cpuSeconds: cpu, rssKiB: kiB("VmRSS:", status) ?? 0, anonymousKiB: kiB("RssAnon:", status) ?? 0, fileKiB: kiB("RssFile:", status) ?? 0
        )
    }

    /// utime and stime are fields 14 and 15, counted after the `)` closing the command name.
    public static func cpuSeconds(statLine: String) -> Double? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / clockTicksPerSecond
    }

    /// A `Name:   1234 kB` line of /proc/PID/status.
    public static func kiB(_ field: String, _ status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            return Int(line.dropFirst(field.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}

/// Bytes the process caused to be written to storage (`write_bytes` of /proc/PID/io); nil when
/// the kernel does not account I/O or the file is not readable.
public func processWriteBytes(pid: String) -> Int? {
    guard let io = readProcFile("/proc/\(pid)/io") else { return nil }
    for line in io.split(separator: "\n") where line.hasPrefix("write_bytes:") {
        return Int(line.dropFirst("write_bytes:".count).trimmingPrefix(" "))
    }
    return nil
}

/// CPU-seconds all cores spent busy (user, nice, system, irq, softirq, steal), from /proc/stat.
public func machineBusySeconds() -> Double? {
    guard let stat = readProcFile("/proc/stat"), let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
        return nil
    }
    let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    guard fields.count >= 8 else { return nil }
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / clockTicksPerSecond
}

/// The kernel's UDP counters (/proc/net/snmp): datagrams dropped because a socket's receive
/// buffer was full show up in RcvbufErrors, whoever the receiver was.
public struct UDPCounters: Sendable, Equatable, Codable {
    public var inDatagrams = 0
    public var receiveBufferErrors = 0
    public var inErrors = 0

    public init() {}

    public static func read() -> UDPCounters? {
        guard let text = readProcFile("/proc/net/snmp") else { return nil }
        return parse(text)
    }

    public static func parse(_ text: String) -> UDPCounters? {
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("Udp: ") }
        guard lines.count >= 2 else { return nil }
        let names = lines[0].split(separator: " ").dropFirst().map(String.init)
        let values = lines[1].split(separator: " ").dropFirst().map { Int($0) ?? 0 }
        var counters = UDPCounters()
        for (name, value) in zip(names, values) {
            switch name {
            case "InDatagrams": counters.inDatagrams = value
            case "RcvbufErrors": counters.receiveBufferErrors = value
            case "InErrors": counters.inErrors = value
            default: break
            }
        }
        return counters
    }
}
