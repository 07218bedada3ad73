import GRDB
import Resources

/// What a write answers when the disk under the store refuses it: full, read-only or failing.
///
/// SQLite reports these as result codes that would otherwise reach users as "Internal error
/// occurred: SQLite error 13". The store rolls the whole transaction back, so nothing of the
/// refused request is stored and nothing stored before is touched; the answer says so, names
/// the data directory and the cause, and asks the client to retry later (`Retry-After`), since
/// writes succeed again as soon as space is back or the directory is writable again.
enum StorageFailure {
    /// The API error for `error` when it is one of the disk's refusals; `nil` for any other error.
    ///
    /// - Full disk: `507 Insufficient Storage`, reason `InternalError` (kube-apiserver answers
    ///   etcd's "database space exceeded" with a 500 InternalError; the status code says more).
    /// - Read-only directory or an I/O error: `503 ServiceUnavailable`.
    static func apiError(_ error: any Error, location: String) -> APIError? {
        guard let error = error as? DatabaseError else { return nil }
        let cause: String
        let code: Int
        let reason: APIError.Reason
        switch error.resultCode {
        case .SQLITE_FULL:
            cause = "no space is left on the file system holding the data directory \(location)"
            (code, reason) = (507, .internalError)
        case .SQLITE_READONLY:
            cause = "the data directory \(location) is read-only"
            (code, reason) = (503, .serviceUnavailable)
        case .SQLITE_IOERR, .SQLITE_CANTOPEN:
            cause = "the disk holding the data directory \(location) failed to read or write"
            (code, reason) = (503, .serviceUnavailable)
        default:
            return nil
        }
        let detail = error.message.map { "SQLite: \($0)" } ?? "SQLite result code \(error.extendedResultCode.rawValue)"
        return APIError(
            code: code, reason: reason,
            message: "the store cannot write: \(cause) (\(detail)); nothing of this request was stored and "
                + "everything stored before is kept; retry once the disk accepts writes again",
            retryAfterSeconds: 5)
    }
}
