/// `jwt` with one character of its signature changed, so that it must fail verification.
///
/// Overwriting the last characters (`dropLast(2) + "AA"`) is not enough: they may already
/// be those characters, and the very last one carries only 2 bits of a 64-byte signature
/// (the other 4 are padding that decoders ignore), so about one token in 256 came out
/// unchanged and a "tampered token is rejected" test failed at random. A character 20
/// from the end is inside the signature and carries 6 bits that decode.
public func tamperedSignature(_ jwt: String) -> String {
    var characters = Array(jwt)
    let index = characters.count - 20
    characters[index] = characters[index] == "A" ? "B" : "A"
    return String(characters)
}
