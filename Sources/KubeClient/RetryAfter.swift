import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// What client-go does with a `429 Too Many Requests` that carries `Retry-After` (an API server
/// shedding load, or an eviction the disruption controller has not caught up with): wait that
/// many seconds and send the request again, at most ``maximumRetries`` times, and never past the
/// request's deadline. Without `Retry-After`, or once the retries are spent, the 429 is the answer.
enum RetryAfter {
    /// client-go's `maxRetries`.
    static let maximumRetries = 10
    /// The longest wait honoured; a server asking for more is answered with its 429.
    static let longestWait: Duration = .seconds(60)

    /// How long to wait before retry number `attempt + 1`, or `nil` not to retry.
    ///
    /// ```swift
    /// RetryAfter.delay(code: 429, header: "1", attempt: 0)   // 1 second
    /// RetryAfter.delay(code: 409, header: "1", attempt: 0)   // nil
    /// ```
    static func delay(code: Int, header: String?, attempt: Int) -> Duration? {
        guard code == 429, attempt < maximumRetries,
            let text = header?.trimmingCharacters(in: .whitespaces), let seconds = Int(text), seconds >= 0
        else { return nil }
        let wait = Duration.seconds(seconds)
        return wait <= longestWait ? wait : nil
    }
}

extension Transport {
    /// Sends with `send` until the answer is not a 429 with `Retry-After`, the retries are spent,
    /// or the next wait would pass `deadline` (see ``RetryAfter``); `discard` reads a refused
    /// answer's body before the next attempt.
    func honouringRetryAfter<Answer>(
        url: String, deadline: NIODeadline, _ send: () async throws -> (Answer, code: Int, retryAfter: String?),
        discard: (Answer) async -> Void = { _ in }
    ) async throws -> Answer {
        var attempt = 0
        while true {
            let (answer, code, header) = try await send()
            guard let wait = RetryAfter.delay(code: code, header: header, attempt: attempt),
                NIODeadline.now() + .nanoseconds(wait.nanoseconds) < deadline
            else { return answer }
            await discard(answer)
            attempt += 1
            logger.debug("the server is busy; retrying", metadata: ["url": "\(url)", "attempt": "\(attempt)", "wait": "\(wait)"])
            try await Task.sleep(for: wait)
        }
    }
}
