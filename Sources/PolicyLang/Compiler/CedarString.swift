/// Cedar compares strings byte for byte (Rust `String ==`); Swift's `String ==` treats
/// canonically equivalent strings ("é" precomposed and decomposed) as equal. Every place
/// where Arbiter must agree with Cedar on string identity goes through these two helpers.
public enum CedarString {
    @inlinable
    public static func equal(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }

    public static func hash(_ string: String, into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(0xFF as UInt8)  // terminator: "ab","c" must not hash like "a","bc"
    }
}
