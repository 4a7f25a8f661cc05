"""The baseline: the products most customers bought, the same for everyone."""

from __future__ import annotations

from kefu.recommend.scoring import Scores, ScoringRecommender

__all__ = ["PopularityRecommender"]


class PopularityRecommender(ScoringRecommender):
    """Ranks by how many customers bought each product; the reason is its standing ("best
    seller in Lighting")."""

    name = "popularity"

    def scores(self, customer_id: str) -> Scores:
        return Scores(self.best_sellers.counts.copy(), lambda _: None)
