import Foundation
import Glibc

/// CPU time of one media worker (a transcoder, a compositor) together with the threads its
/// codecs start.
///
/// Linux gives a new thread the name of the thread that created it, and libavcodec and
/// libx264/libx265 create their frame, slice and lookahead threads while the worker's thread
/// opens them. So the worker names its own thread once, before opening any codec, and its CPU
/// time is the sum over every thread of the process that carries that name.
public enum WorkerThreadCPU {
    /// Names the calling thread (15 bytes at most, as the kernel keeps).
    public static func nameCurrentThread(_ name: String) {
        // pthread_setname_np is not in the Glibc module; the kernel's file for the calling thread does the same.
        guard let file = fopen("/proc/thread-self/comm", "w") else { return }
        fputs(kernelName(name), file)
        fclose(file)
    }

    /// `name` cut to the 15 bytes the kernel keeps, on a character boundary.
    static func kernelName(_ name: String) -> String {
        var kept = ""
        for character in name {
            guard kept.utf8.count + character.utf8.count <= 15 else { break }
            kept.append(character)
        }
        return kept
    }

    /// Seconds of CPU (user and system) used so far by the living threads called `name`.
    public static func seconds(ofThreadsNamed name: String) -> Double {
        let name = kernelName(name)
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return 0 }
        var ticks = 0
        for task in tasks {
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .newlines) == name,
                  let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let afterName = stat.lastIndex(of: ")") else { continue }
            // Fields after the parenthesised name: state is field 3, utime 14 and stime 15.
            let fields = stat[stat.index(after: afterName)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
            ticks += user + system
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
