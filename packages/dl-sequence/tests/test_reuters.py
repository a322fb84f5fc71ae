"""The Reuters-21578 loader on small reut2-*.sgm files written here: the ModApte split, Keras's
integer form, and errors that name the damaged file."""

import numpy as np
import pytest

from dl_sequence.datasets import reuters

HEADER = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'


def wire(newid, split="TRAIN", topics=("earn",), body="Net profit rose.", title="PROFIT UP", has_topics="YES",
         text_type=""):
    topic_tags = "".join(f"<D>{t}</D>" for t in topics)
    text = f"<TITLE>{title}</TITLE>\n<DATELINE>    NEW YORK, March 3 - </DATELINE><BODY>{body}\n Reuter\n&#3;</BODY>"
    if text_type == "UNPROC":
        text = body
    elif text_type == "BRIEF":
        text = f"<TITLE>{title}</TITLE>"
    return (f'<REUTERS TOPICS="{has_topics}" LEWISSPLIT="{split}" CGISPLIT="TRAINING-SET" OLDID="{5000 + newid}" '
            f'NEWID="{newid}">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n<TOPICS>{topic_tags}</TOPICS>\n'
            f'<PLACES><D>usa</D></PLACES>\n<UNKNOWN>&#5;&#5;&#5;C T\n&#22;&#22;&#1;f0704&#31;reute</UNKNOWN>\n'
            f'<TEXT{" TYPE=" + chr(34) + text_type + chr(34) if text_type else ""}>&#2;\n{text}</TEXT>\n</REUTERS>\n')


COLLECTION = {
    "reut2-000.sgm": [
        wire(1, topics=("cocoa",), title="BAHIA COCOA REVIEW", body="Showers continued in the cocoa zone."),
        wire(2, topics=("grain", "wheat")),  # two topics: not single-label, left out
        wire(3, topics=("earn",), body="Net profit rose to 5 mln dlrs."),
        wire(4, topics=("acq",), split="NOT-USED", body="Company bought."),  # NOT-USED: left out
        wire(5, topics=(), body="No topic here."),  # no topic: left out
        wire(6, topics=("earn",), has_topics="NO", body="Indexed without topics."),  # TOPICS="NO": left out
    ],
    "reut2-001.sgm": [
        wire(7, topics=("cocoa",), body="Cocoa prices &lt;fell> sharply.", text_type="UNPROC"),
        wire(8, topics=("earn",), split="TEST", body="Net profit fell."),
        wire(9, topics=("cocoa",), split="TEST", title="COCOA STOCKS", text_type="BRIEF"),
        wire(10, topics=("ship",), split="TEST", body="Ships idle in port."),  # no training example of ship
    ],
}


def write(folder, files=COLLECTION):
    folder.mkdir(exist_ok=True)
    for name, wires in files.items():
        (folder / name).write_bytes((HEADER + "".join(wires)).encode("latin-1"))
    return folder


def test_reads_every_document_with_its_attributes(tmp_path):
    newswires = reuters.read_newswires(write(tmp_path / "r"))
    assert [n.newid for n in newswires] == list(range(1, 11))
    first = newswires[0]
    assert first.lewis_split == "TRAIN" and first.topics_attr == "YES" and first.topics == ("cocoa",)
    assert first.text == "BAHIA COCOA REVIEW\nShowers continued in the cocoa zone.\n Reuter"
    assert first.file == "reut2-000.sgm"
    assert newswires[1].topics == ("grain", "wheat") and newswires[4].topics == ()
    assert newswires[6].text == "Cocoa prices <fell> sharply."  # UNPROC: the raw text, entities decoded
    assert newswires[8].text == "COCOA STOCKS"  # BRIEF: the title only


def test_modapte_single_topic_split(tmp_path):
    folder = write(tmp_path / "r")
    (x_train, y_train), (x_test, y_test) = reuters.load_data(folder)
    assert len(x_train) == 3 and len(x_test) == 2  # newswires 1, 3, 7 and 8, 9 (10's topic is never trained)
    assert reuters.get_label_names(folder) == ("cocoa", "earn")  # order of first appearance
    assert sorted(y_train.tolist()) == [0, 0, 1] and sorted(y_test.tolist()) == [0, 1]
    assert x_train.dtype == object and y_train.dtype == np.int64
    word_index = reuters.get_word_index(folder)
    reverse = {rank + 3: word for word, rank in word_index.items()}
    decoded = sorted(" ".join(reverse.get(i, "?") for i in x[1:]) for x in x_test)
    assert decoded == ["cocoa", "profit up net profit fell reuter"]  # unseen in training: dropped ("stocks")
    assert all(x[0] == 1 for x in list(x_train) + list(x_test))
    assert "reuter" in word_index and "showers" in word_index and "ships" not in word_index


def test_keras_arguments(tmp_path):
    folder = write(tmp_path / "r")
    (x_train, _), (x_test, _) = reuters.load_data(folder, num_words=6)
    assert max(max(x) for x in list(x_train) + list(x_test)) <= 5 and any(2 in x for x in x_train)
    (short, _), _ = reuters.load_data(folder, maxlen=11)  # 5, 11 and 11 ids: the two of 11 are dropped
    assert [len(x) for x in short] == [5]
    (no_start, _), _ = reuters.load_data(folder, start_char=None, index_from=0)
    word_index = reuters.get_word_index(folder)
    assert sorted(min(x) for x in no_start)[0] == 1 and max(max(x) for x in no_start) == len(word_index)
    first, second = reuters.load_data(folder, seed=1), reuters.load_data(folder, seed=1)
    assert all((a == b).all() for a, b in zip(first[0] + first[1], second[0] + second[1]))
    with pytest.raises(ValueError, match="num_words must be a positive integer"):
        reuters.load_data(folder, num_words=0)


def test_random_split_pools_the_same_newswires(tmp_path):
    folder = write(tmp_path / "r")
    (x_train, y_train), (x_test, y_test) = reuters.load_data(folder, test_split=0.4, seed=0)
    assert len(x_train) + len(x_test) == 6 and len(x_test) == 3  # 1, 3, 7, 8, 9, 10, cut at int(6 * 0.6)
    assert reuters.get_label_names(folder, test_split=0.4) == ("cocoa", "earn", "ship")
    with pytest.raises(ValueError, match="test_split must be None"):
        reuters.load_data(folder, test_split=1.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (wire(1)[: len(wire(1)) // 2], "line 2: a <REUTERS> document is not closed"),  # truncated file
        (wire(1).replace("</REUTERS>", "") + wire(2), "line 2: a <REUTERS> document is not closed"),
        (wire(1).replace(' NEWID="1"', ""), "line 2: the <REUTERS> tag has no NEWID attribute"),
        (wire(1).replace('NEWID="1"', 'NEWID="x1"'), "NEWID must be a number, got 'x1'"),
        (wire(1).replace('LEWISSPLIT="TRAIN"', 'LEWISSPLIT="TRAINING"'), "LEWISSPLIT must be one of"),
        (wire(1).replace('TOPICS="YES"', 'TOPICS="MAYBE"'), "TOPICS must be one of"),
        (wire(1).replace("<TEXT>", "<TXT>"), "document NEWID=1 has no <TEXT>"),
    ],
)
def test_corrupted_files_are_named(tmp_path, text, message):
    folder = write(tmp_path / "r", {"reut2-000.sgm": [wire(5)], "reut2-003.sgm": [text]})
    with pytest.raises(ValueError, match=message) as error:
        reuters.read_newswires(folder)
    assert "reut2-003.sgm" in str(error.value)


def test_duplicate_ids_missing_folder_and_no_files(tmp_path):
    folder = write(tmp_path / "r", {"reut2-000.sgm": [wire(1)], "reut2-001.sgm": [wire(1)]})
    with pytest.raises(ValueError, match="reut2-001.sgm.*NEWID=1 was already used in 'reut2-000.sgm'"):
        reuters.read_newswires(folder)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        reuters.load_data(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no reut2-\\*.sgm file"):
        reuters.load_data(tmp_path / "empty")
    with pytest.raises(TypeError, match="path must be the folder"):
        reuters.load_data(None)
    only_test = write(tmp_path / "t", {"reut2-000.sgm": [wire(1, split="TEST")]})
    with pytest.raises(ValueError, match="no training newswire"):
        reuters.load_data(only_test)


def test_stray_bytes_are_read_as_latin_1(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "reut2-017.sgm").write_bytes(HEADER.encode() + wire(1, body="Caf\xe9 \x1a prices.").encode("latin-1"))
    assert reuters.read_newswires(folder)[0].text == "PROFIT UP\nCaf\xe9   prices.\n Reuter"
