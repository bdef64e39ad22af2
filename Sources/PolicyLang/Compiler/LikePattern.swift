/// Cedar's `like`: `*` matches any run of characters (Unicode scalars), everything else
/// matches itself. Shared by the constant folder and the VM.
public enum LikePattern {
    public static func compile(_ elements: [PatternElement]) -> [PatternToken] {
        var tokens: [PatternToken] = []
        for element in elements {
            switch element {
            case .wildcard:
                // `**` matches what `*` matches; collapsing keeps matching linear-ish.
                if tokens.last != .wildcard { tokens.append(.wildcard) }
            case .literal(let text):
                tokens.append(contentsOf: text.unicodeScalars.map(PatternToken.scalar))
            }
        }
        return tokens
    }

    /// Greedy matching with backtracking to the last wildcard: O(n·m) worst case, no
    /// allocation, no recursion.
    public static func matches(_ string: String, _ pattern: [PatternToken]) -> Bool {
        let scalars = string.unicodeScalars
        var s = scalars.startIndex
        var p = 0
        var starPattern = -1
        var starString = scalars.startIndex
        while s < scalars.endIndex {
            if p < pattern.count, case .scalar(let c) = pattern[p], c == scalars[s] {
                s = scalars.index(after: s)
                p += 1
            } else if p < pattern.count, pattern[p] == .wildcard {
                starPattern = p
                starString = s
                p += 1
            } else if starPattern >= 0 {
                p = starPattern + 1
                starString = scalars.index(after: starString)
                s = starString
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == .wildcard { p += 1 }
        return p == pattern.count
    }
}
