import Foundation

/// A set of completion indexes of an Indexed Job, written as kube writes
/// `status.completedIndexes`: ascending intervals separated by commas, `first-last` for three
/// or more, two neighbours as `a,b` (`"0-2,4,5,7"`).
struct CompletionIndexes: Sendable, Hashable {
    /// The indexes, ascending.
    private(set) var sorted: [Int] = []

    init<S: Sequence>(_ indexes: S) where S.Element == Int {
        sorted = Array(Set(indexes)).sorted()
    }

    /// Reads `text`, keeping only indexes below `completions`; anything unreadable is skipped.
    init(parsing text: String, completions: Int) {
        var indexes: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let first = bounds.first ?? nil, first >= 0 else { continue }
            let last = bounds.count == 2 ? (bounds[1] ?? first) : first
            guard last >= first else { continue }
            indexes += (first...min(last, completions - 1)).filter { $0 < completions }
        }
        self.init(indexes)
    }

    var count: Int { sorted.count }

    func contains(_ index: Int) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < index { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == index
    }

    /// `self` with `indexes` added.
    func union<S: Sequence>(_ indexes: S) -> CompletionIndexes where S.Element == Int {
        CompletionIndexes(sorted + Array(indexes))
    }

    /// The first `count` indexes below `completions` in neither `self` nor `taken`.
    func firstMissing(_ count: Int, below completions: Int, taken: Set<Int>) -> [Int] {
        var result: [Int] = []
        var candidate = 0
        while result.count < count, candidate < completions {
            if !taken.contains(candidate), !contains(candidate) { result.append(candidate) }
            candidate += 1
        }
        return result
    }

    /// kube's text form.
    var text: String {
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            let (first, last) = (sorted[index], sorted[end])
            switch last - first {
            case 0: parts.append("\(first)")
            case 1: parts.append("\(first),\(last)")
            default: parts.append("\(first)-\(last)")
            }
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}
