import OrderedCollections
/// Why a store could not be opened.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }

    static func locked(directory: String, lockPath: String) -> StoreError {
        StoreError(message: "another mizzen is using \(directory) (lock held on \(lockPath)); stop it or use another data directory")
    }
}
