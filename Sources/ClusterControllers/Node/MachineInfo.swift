import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the simulated node reports about this machine, as kubelet reads it from the host:
/// cores, memory, the root filesystem's size, the kernel and OS, and the machine's ids.
struct MachineInfo: Sendable, Hashable {
    var cores: Int
    var memoryBytes: UInt64
    var ephemeralStorageBytes: UInt64
    /// `amd64`, `arm64`… (Go's names).
    var architecture: String
    /// `linux`, `darwin`.
    var operatingSystem: String
    var kernelVersion: String
    var osImage: String
    var machineID: String
    var systemUUID: String
    var bootID: String

    /// This machine.
    static func current() -> MachineInfo {
        let process = ProcessInfo.processInfo
        let storage = (try? FileManager.default.attributesOfFileSystem(forPath: "/"))?[.systemSize] as? NSNumber
        let machineID = read("/etc/machine-id") ?? ""
        return MachineInfo(
            cores: process.activeProcessorCount,
            memoryBytes: process.physicalMemory,
            ephemeralStorageBytes: storage?.uint64Value ?? 0,
            architecture: goArchitecture,
            operatingSystem: goOperatingSystem,
            kernelVersion: kernelRelease,
            osImage: osRelease ?? process.operatingSystemVersionString,
            machineID: machineID,
            systemUUID: read("/sys/class/dmi/id/product_uuid") ?? Self.uuid(fromHex: machineID),
            bootID: read("/proc/sys/kernel/random/boot_id") ?? "")
    }

    private static var goArchitecture: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        "unknown"
        #endif
    }

    private static var goOperatingSystem: String {
        #if os(Linux)
        "linux"
        #elseif os(macOS)
        "darwin"
        #else
        "unknown"
        #endif
    }

    private static var kernelRelease: String {
        var name = utsname()
        guard uname(&name) == 0 else { return "" }
        return withUnsafeBytes(of: &name.release) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// `PRETTY_NAME` of `/etc/os-release`.
    private static var osRelease: String? {
        guard let text = read("/etc/os-release") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `8-4-4-4-12` of 32 hex digits (a machine id), or empty.
    private static func uuid(fromHex hex: String) -> String {
        let digits = Array(hex)
        guard digits.count == 32 else { return "" }
        var parts: [String] = []
        var index = 0
        for length in [8, 4, 4, 4, 12] {
            parts.append(String(digits[index..<index + length]))
            index += length
        }
        return parts.joined(separator: "-")
    }
}
