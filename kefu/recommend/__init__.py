"""Product recommendations: content-based (the encoder's vectors of product text), behaviour-
based (co-purchase), the best sellers, and a hybrid of them; re-ranked by the customer's
constraints, each pick with its reason in English and Chinese. ``kefu eval recommend`` measures
them offline (:mod:`kefu.recommend.evaluate`)."""

from kefu.recommend.base import Constraints, Recommendation, Recommender
from kefu.recommend.behaviour import CoPurchaseRecommender
from kefu.recommend.content import ContentRecommender
from kefu.recommend.history import History, ProductInfo, Purchase, VariantInfo, load_history
from kefu.recommend.hybrid import HybridRecommender
from kefu.recommend.popularity import PopularityRecommender
from kefu.recommend.similar import like_this

__all__ = [
    "CoPurchaseRecommender",
    "Constraints",
    "ContentRecommender",
    "History",
    "HybridRecommender",
    "PopularityRecommender",
    "ProductInfo",
    "Purchase",
    "Recommendation",
    "Recommender",
    "VariantInfo",
    "like_this",
    "load_history",
]
