public import Foundation
public import Resources

/// One fuzz target: a parser fed the bytes libFuzzer generates. It returns when the parser
/// accepted or refused the input cleanly, and traps (`fatalError`) when an invariant breaks, so
/// that libFuzzer records the input as a crash.
public typealias FuzzTarget = @Sendable ([UInt8]) -> Void

// Written once by selectFuzzTarget, before libFuzzer runs any input, and only read after.
nonisolated(unsafe) private var selectedTarget: FuzzTarget = { _ in }

/// Selects the target of `targets` named by `MIZZEN_FUZZ_TARGET`, or exits listing them.
public func selectFuzzTarget(from targets: [String: FuzzTarget]) {
    let name = ProcessInfo.processInfo.environment["MIZZEN_FUZZ_TARGET"] ?? ""
    guard let target = targets[name] else {
        let names = targets.keys.sorted().joined(separator: ", ")
        FileHandle.standardError.write(Data("set MIZZEN_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    selectedTarget = target
}

/// libFuzzer's driver (from `-sanitize=fuzzer`), which runs `callback` on every input. SwiftPM
/// links an executable target's own `main`, so the executables call the driver themselves.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// Runs libFuzzer with the process's arguments over the selected target; its exit status.
public func runLibFuzzer() -> Int32 {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        selectedTarget(bytes)
        return 0
    }
}

/// The input as text, as a server reads a body: invalid UTF-8 becomes U+FFFD.
public func utf8Text(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// The input cut at its first NUL byte: the part before (when there is one) and the rest.
public func split(_ bytes: [UInt8]) -> (first: ArraySlice<UInt8>?, rest: ArraySlice<UInt8>) {
    guard let nul = bytes.firstIndex(of: 0) else { return (nil, bytes[...]) }
    return (bytes[..<nul], bytes[(nul + 1)...])
}

/// Stops the run: `message` says which invariant broke.
public func broken(_ message: String) -> Never {
    fatalError("fuzz invariant broken: \(message)")
}

extension JSONValue {
    /// Whether every number in the value is finite (NaN and infinities print as `null`).
    public var isFinite: Bool {
        switch self {
        case .double(let d): return d.isFinite
        case .array(let elements): return elements.allSatisfy(\.isFinite)
        case .object(let members): return members.values.allSatisfy(\.isFinite)
        default: return true
        }
    }
}
