/// The ChatML prompt of Qwen2-Audio-Instruct, rendered as its Jinja template does (the processor's default
/// `chat_template`, which the Instruct repository ships as `chat_template.jinja`):
///
/// - a first message that is not a system message gets `You are a helpful assistant.` before it;
/// - each audio part is `Audio k: <|audio_bos|><|AUDIO|><|audio_eos|>\n`, k counting over the whole conversation;
/// - text parts follow with no separator; every message ends with `<|im_end|>\n`;
/// - the generation prompt is `<|im_start|>assistant\n`.
///
/// The single `<|AUDIO|>` of each clip is expanded to the clip's audio-token count after tokenisation
/// (``Qwen2AudioChatTemplate/expandAudioPlaceholders(_:audioTokenID:counts:)``), as the processor does.
public enum Qwen2AudioChatTemplate {
    public static let defaultSystemPrompt = "You are a helpful assistant."

    public static func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        var text = ""
        var audioIndex = 0
        for (index, message) in messages.enumerated() {
            if index == 0 && message.role != .system {
                text += "<|im_start|>system\n\(defaultSystemPrompt)<|im_end|>\n"
            }
            text += "<|im_start|>\(message.role.rawValue)\n"
            for part in message.parts {
                switch part {
                case .audio:
                    audioIndex += 1
                    text += "Audio \(audioIndex): <|audio_bos|><|AUDIO|><|audio_eos|>\n"
                case .text(let content):
                    text += content
                }
            }
            text += "<|im_end|>\n"
        }
        if addGenerationPrompt { text += "<|im_start|>assistant\n" }
        return text
    }

    /// Replaces the i-th `<|AUDIO|>` id with `counts[i]` copies of it.
    public static func expandAudioPlaceholders(_ ids: [Int], audioTokenID: Int, counts: [Int]) throws(ModelError) -> [Int] {
        let placeholders = ids.filter { $0 == audioTokenID }.count
        guard placeholders == counts.count else {
            throw .audioTokenMismatch(placeholders: placeholders, audioTokens: counts.count)
        }
        var result: [Int] = []
        result.reserveCapacity(ids.count + counts.reduce(0, +))
        var clip = 0
        for id in ids {
            if id == audioTokenID {
                result.append(contentsOf: repeatElement(audioTokenID, count: counts[clip]))
                clip += 1
            } else {
                result.append(id)
            }
        }
        return result
    }
}
