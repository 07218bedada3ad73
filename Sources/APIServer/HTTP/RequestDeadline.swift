import Resources
import Synchronization

/// kube-apiserver's per-request deadline (`--request-timeout`, 60 s): a request that is not
/// long-running gets that long, or less when its `timeout` query parameter asks for less; past
/// it the client gets 504 and the work goes on unobserved, as kube's timeout filter does.
enum RequestDeadline {
    /// The deadline of a request: `maximum`, or the `timeout` query parameter when it is
    /// positive and shorter (kube ignores 0 and longer values).
    ///
    /// - Throws: kube's 400 when `timeout` is not a Go duration (`30s`, `1m30s`, `500ms`).
    static func timeout(query: [String: String], maximum: Duration) throws(APIError) -> Duration {
        guard let text = query["timeout"], !text.isEmpty else { return maximum }
        let asked: Duration
        do {
            asked = try GoDuration.parse(text)
        } catch {
            throw APIError.badRequest("invalid timeout specified in the request URL - \(error.message)")
        }
        return asked > .zero && asked < maximum ? asked : maximum
    }

    /// Runs `work` in a task of its own and returns its answer, or `nil` when `timeout` passed
    /// first — the work is then cancelled but not waited for.
    static func race<T: Sendable>(
        timeout: Duration, _ work: @escaping @Sendable () async -> T
    ) async -> T? {
        let task = Task { await work() }
        let outcome = Mutex<CheckedContinuation<T?, Never>?>(nil)
        let timer = Mutex<Task<Void, Never>?>(nil)
        let answer: T? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
                outcome.withLock { $0 = continuation }
                let finish: @Sendable (T?) -> Void = { value in
                    outcome.withLock { pending in
                        pending?.resume(returning: value)
                        pending = nil
                    }
                }
                timer.withLock {
                    $0 = Task {
                        try? await Task.sleep(for: timeout)
                        if !Task.isCancelled { finish(nil) }
                    }
                }
                Task {
                    let value = await task.value
                    finish(value)
                }
            }
        } onCancel: {
            task.cancel()
        }
        timer.withLock { $0?.cancel() }
        if answer == nil { task.cancel() }
        return answer
    }

    /// kube's 504: its timeout filter writes the `Status` as plain JSON (no `kind`, no
    /// `apiVersion`, an empty `details`) under `Content-Type: text/plain; charset=utf-8`.
    static let timeoutBody: [UInt8] = Array(
        #"{"metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout","reason":"Timeout","details":{},"code":504}"#
            .utf8) + [UInt8(ascii: "\n")]
}

/// Go's `time.ParseDuration`, for the `timeout` query parameter: a sequence of decimal numbers
/// with units (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), such as `300ms`, `1.5h` or `2h45m`;
/// kube-apiserver's duration flags (`--request-timeout 1m0s`) are written the same way.
public enum GoDuration {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let quoted = "\"\(text)\""
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { throw ParseError(message: "time: invalid duration \(quoted)") }
        var nanoseconds = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let value = Double(number) else {
                throw ParseError(message: "time: invalid duration \(quoted)")
            }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard !unit.isEmpty else { throw ParseError(message: "time: missing unit in duration \(quoted)") }
            guard let scale = units.first(where: { $0.0 == unit })?.1 else {
                throw ParseError(message: "time: unknown unit \"\(unit)\" in duration \(quoted)")
            }
            rest = rest.dropFirst(unit.count)
            nanoseconds += value * scale
        }
        guard nanoseconds < 9.2e18 else { throw ParseError(message: "time: invalid duration \(quoted)") }
        let duration = Duration.nanoseconds(Int64(nanoseconds))
        return negative ? .zero - duration : duration
    }
}
