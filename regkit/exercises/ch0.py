"""The introduction's exercise."""

from ._core import AnswerShapeError, Hint, Words, digest, exercise, expect_choice

# The figure's four curves, by the digest of their label in either language (step decay,
# cyclic, cosine annealing, warmup + cosine), so that the source does not say which is right.
CURVE_NAMES = {
    "9483acbab6a25748": "step", "72d57c027f60f05c": "step",
    "a28190709e49c30e": "cyclic", "4991e9b43b68b66c": "cyclic",
    "ad0ec9f1bb0d66bf": "cosine", "14dddad23f69653d": "cosine",
    "3e447b5aa361b630": "warmup", "193c842633495516": "warmup",
}


@exercise("ch0-ex1", en="a string: one of the keys of `curves`",
          ko="문자열: `curves`의 키 가운데 하나")
def largest_at_1500(answer):
    curve = CURVE_NAMES.get(digest(expect_choice(answer)))
    if curve is None:
        raise AnswerShapeError(Words("that is not one of the figure's four labels.",
                                     "그림의 네 가지 이름 가운데 하나가 아닙니다."))
    if curve == "cyclic":
        return None
    if curve == "warmup":
        return Hint(Words("warmup + cosine starts its decay late, at step 300, but by step 1500 it has "
                          "come down a good way. Which curve is at a peak there?",
                          "워밍업 + 코사인은 300 스텝에야 감쇠를 시작하지만, 1500 스텝에서는 이미 꽤 내려와 "
                          "있습니다. 그 지점에서 꼭대기에 있는 곡선은 어느 것일까요?"), "warmup-peak-late")
    return Hint(Words("read `curves[label][1500]` for every label and compare the four numbers.",
                      "모든 이름에 대해 `curves[label][1500]`을 읽고 네 값을 비교해 보세요."),
                "not-read-from-curves")
