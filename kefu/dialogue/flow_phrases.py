"""What the order-action flows say, in English and Chinese."""

from __future__ import annotations

FLOW: dict[str, dict[str, str]] = {
    "en": {
        "ask_order": "Which order is it about? Your recent orders are:\n{orders}\nPlease tell me "
                     "the order number.",
        "took_order": "I take it this is about order {order_id} ({status}), the only one of "
                      "your orders it can be; if you mean another one, tell me its number.\n",
        "order_not_found": "I couldn't find order {order_id} on your account. Your recent "
                           "orders are:\n{orders}",
        "not_allowed": "Order {order_id} is {status}, and {rule} Is there another order I can "
                       "help with?",
        "rule_cancel": "only pending orders can be cancelled.",
        "rule_modify": "only pending orders can be changed (and their items only once).",
        "rule_return": "only delivered orders can be returned.",
        "rule_exchange": "only delivered orders can be exchanged.",
        "ask_reason": "Why would you like to cancel it: is it no longer needed, or was it "
                      "ordered by mistake?",
        "ask_items_return": "Which items of order {order_id} would you like to return?\n{items}",
        "ask_items_swap": "Which item of order {order_id} would you like to change, and to "
                          "which option?\n{items}",
        "item_unclear": "I couldn't tell which item you mean. The items of order {order_id} "
                        "are:\n{items}",
        "ask_new_option": "Which option would you like instead of {item}? Available now:\n"
                          "{variants}",
        "more_items": "Noted: {item}. Is there any other item in this order you'd like to "
                      "{verb}? Please list them all now; if not, say that's all.",
        "verb_return": "return",
        "verb_exchange": "exchange",
        "verb_modify": "change",
        "ask_payment_refund": "Where should the refund go: the original payment method or a "
                              "gift card? On your account: {methods}.",
        "ask_payment_diff": "Which payment method should pay or receive the price difference? "
                            "On your account: {methods}.",
        "ask_payment_new": "Which payment method should the order use instead? On your "
                           "account: {methods}.",
        "ask_address_order": "What is the new shipping address for order {order_id}? Please "
                             "write it as: street, apartment or suite (or -), city, state, "
                             "country, zip code.",
        "ask_address_user": "What is your new default address? Please write it as: street, "
                            "apartment or suite (or -), city, state, country, zip code.",
        "ask_address_scope": "Should I change the shipping address of a pending order, or your "
                             "account's default address?",
        "confirm": "Please confirm: I will {details}\n{prefilled}Shall I go ahead? (yes/no)",
        "prefilled": "I filled in from your account: {notes}. If any of it should be "
                     "different, just tell me.\n",
        "note_order": "order {order_id} is the only one of your orders it can be",
        "note_paid_with": "{method} is what you paid this order with",
        "note_usual_method": "{method} is the payment method you use most",
        "note_said_method": "{method} is how you told us you like to pay",
        "note_default_address": "the address is your account's default address",
        "note_past_address": "the address is where your order {order_id} went",
        "note_size": "the {item} in size {size}, your usual size",
        "note_inline": " ({note}; tell me if you'd like another option)",
        "yes_no": "Please say yes to go ahead, or no to leave everything as it is.",
        "declined": "All right, I haven't changed anything. Is there anything else I can help "
                    "with?",
        "order_changed": "That order has changed in the meantime, so I've stopped this request "
                         "and changed nothing. Please tell me again what you'd like to do.",
        "reminder": "\n\nBack to your request: {question}",
        "one_customer": "I can only help with the account already verified in this "
                        "conversation ({name}).",
        "anything_else": " Is there anything else I can help with?",
        "refund_timing": "a gift card is refunded at once, other methods in 5 to 7 business "
                         "days",
        # the confirmation details
        "do_cancel": "cancel order {order_id} ({items}) because it is {reason}. {total} will be "
                     "refunded to {methods} ({timing}).",
        "do_address": "ship order {order_id} to {address}.",
        "do_user_address": "change your default address to {address}.",
        "do_payment": "pay order {order_id} ({total}) with {new} instead of {old} ({timing}).",
        "do_items": "change, in order {order_id}: {swaps}. {difference} Items can be changed "
                    "only once: afterwards the order can no longer be changed or cancelled.",
        "do_return": "return, from order {order_id}: {items}. The refund of {total} goes to "
                     "{method}; you will get an email explaining how to send the items back.",
        "do_exchange": "exchange, in order {order_id}: {swaps}. {difference} You will get an "
                       "email explaining how to send the items back; no new order is needed.",
        "diff_pay": "You pay the difference of {amount} with {method}.",
        "diff_refund": "The difference of {amount} is refunded to {method}.",
        "diff_none": "The price stays the same: nothing is charged to or refunded on {method}.",
        # after the tool ran
        "done_cancel_pending_order": "Done: order {order_id} is cancelled.",
        "done_modify_pending_order_address": "Done: order {order_id} will ship to the new "
                                             "address.",
        "done_modify_user_address": "Done: your default address is updated.",
        "done_modify_pending_order_payment": "Done: order {order_id} is now paid with the new "
                                             "method.",
        "done_modify_pending_order_items": "Done: the items of order {order_id} are changed.",
        "done_return_delivered_order_items": "Done: the return for order {order_id} is "
                                             "requested; watch your email for the next steps.",
        "done_exchange_delivered_order_items": "Done: the exchange for order {order_id} is "
                                               "requested; watch your email for the next steps.",
        "repeated": " (This was already done, so nothing changed now.)",
        # refusals from the tools
        "refused": "I can't do that: {why}",
        "why_order_not_found": "order {order_id} is not on your account.",
        "why_not_cancellable": "order {order_id} is {status}; only pending orders can be "
                               "cancelled.",
        "why_not_modifiable": "order {order_id} is {status}; only pending orders can be changed.",
        "why_not_returnable": "order {order_id} is {status}; only delivered orders can be "
                              "returned.",
        "why_not_exchangeable": "order {order_id} is {status}; only delivered orders can be "
                                "exchanged.",
        "why_bad_reason": "an order can be cancelled only if it is no longer needed or was "
                          "ordered by mistake.",
        "why_item_not_in_order": "that item is not in order {order_id}.",
        "why_item_count_mismatch": "each item needs exactly one replacement.",
        "why_new_item_unavailable": "the new option is not available for that product.",
        "why_payment_not_found": "that payment method is not on your account.",
        "why_insufficient_gift_card": "the gift card's balance is not enough.",
        "why_payment_not_single": "this order's payment can no longer be changed.",
        "why_same_payment": "that is already the order's payment method.",
        "why_refund_method_not_allowed": "refunds go to the original payment method or a gift "
                                         "card.",
        "why_no_items": "no item was chosen.",
        "why_too_many_items": "that is more items than one request can take.",
        "why_address_incomplete": "the address needs a street, city, country and zip code.",
        "why_customer_not_found": "your account could not be found.",
    },
    "zh": {
        "ask_order": "请问是哪一个订单？您最近的订单有：\n{orders}\n请告诉我订单号。",
        "took_order": "我先按订单 {order_id}（{status}）为您办理，这是您唯一符合条件的订单；"
                      "如果不是这个，请告诉我订单号。\n",
        "order_not_found": "您的账户下没有找到订单 {order_id}。您最近的订单有：\n{orders}",
        "not_allowed": "订单 {order_id} 的状态是「{status}」，{rule}还有其他订单需要帮忙吗？",
        "rule_cancel": "只有待处理的订单可以取消。",
        "rule_modify": "只有待处理的订单可以修改（商品只能修改一次）。",
        "rule_return": "只有已送达的订单可以退货。",
        "rule_exchange": "只有已送达的订单可以换货。",
        "ask_reason": "请问取消的原因是：不再需要了，还是下错单了？",
        "ask_items_return": "订单 {order_id} 中您要退哪些商品？\n{items}",
        "ask_items_swap": "订单 {order_id} 中您要更换哪件商品，换成哪个款式？\n{items}",
        "item_unclear": "我没能确定您指的是哪件商品。订单 {order_id} 的商品有：\n{items}",
        "ask_new_option": "{item} 您想换成哪个款式？目前有货的有：\n{variants}",
        "more_items": "已记下：{item}。这个订单里还有其他商品要{verb}吗？请一次说完；"
                      "如果没有，请回复「就这些」。",
        "verb_return": "退",
        "verb_exchange": "换",
        "verb_modify": "修改",
        "ask_payment_refund": "退款退到哪里：原支付方式，还是礼品卡？"
                              "您账户中的支付方式：{methods}。",
        "ask_payment_diff": "差价用哪种支付方式支付或退回？您账户中的支付方式：{methods}。",
        "ask_payment_new": "订单要改用哪种支付方式？您账户中的支付方式：{methods}。",
        "ask_address_order": "订单 {order_id} 的新收货地址是什么？请按以下格式填写：街道，"
                             "门牌/单元（没有写 -），城市，州/省，国家，邮编。",
        "ask_address_user": "您的新默认地址是什么？请按以下格式填写：街道，门牌/单元（没有写 -），"
                            "城市，州/省，国家，邮编。",
        "ask_address_scope": "要修改的是某个待处理订单的收货地址，还是账户的默认地址？",
        "confirm": "请确认：我将{details}\n{prefilled}确认办理吗？（是/否）",
        "prefilled": "以下内容是我根据您的账户预先填写的：{notes}。如需更改，直接告诉我即可。\n",
        "note_order": "订单 {order_id} 是您唯一符合条件的订单",
        "note_paid_with": "{method}是这个订单付款时用的",
        "note_usual_method": "{method}是您最常用的支付方式",
        "note_said_method": "您说过习惯用{method}支付",
        "note_default_address": "该地址是您账户的默认地址",
        "note_past_address": "该地址是您的订单 {order_id} 的收货地址",
        "note_size": "{item_zh}选 {size} 码，是您常穿的尺码",
        "note_inline": "（{note}；如需其他款式请告诉我）",
        "yes_no": "请回复「是」确认办理，或回复「否」保持不变。",
        "declined": "好的，我没有做任何更改。还有什么可以帮您的吗？",
        "order_changed": "这个订单刚刚发生了变化，我已停止本次办理，没有做任何更改。"
                         "请重新告诉我您想办理什么。",
        "reminder": "\n\n回到您刚才的请求：{question}",
        "one_customer": "本次对话只能为已验证的账户（{name}）办理。",
        "anything_else": "还有什么可以帮您的吗？",
        "refund_timing": "礼品卡即时到账，其他方式 5–7 个工作日到账",
        "do_cancel": "取消订单 {order_id}（{items}），原因：{reason}。{total} 将退回到{methods}"
                     "（{timing}）。",
        "do_address": "把订单 {order_id} 的收货地址改为 {address}。",
        "do_user_address": "把您的默认地址改为 {address}。",
        "do_payment": "订单 {order_id}（{total}）改用{new}支付，不再使用{old}（{timing}）。",
        "do_items": "修改订单 {order_id}：{swaps}。{difference}商品只能修改一次，"
                    "之后订单将不能再修改或取消。",
        "do_return": "为订单 {order_id} 申请退货：{items}。{total} 退款将退到{method}；"
                     "您会收到一封说明如何寄回商品的邮件。",
        "do_exchange": "为订单 {order_id} 申请换货：{swaps}。{difference}"
                       "您会收到一封说明如何寄回商品的邮件，无需另外下单。",
        "diff_pay": "您需用{method}支付差价 {amount}。",
        "diff_refund": "差价 {amount} 将退到{method}。",
        "diff_none": "价格不变，{method}不会扣款或退款。",
        "done_cancel_pending_order": "已办理：订单 {order_id} 已取消。",
        "done_modify_pending_order_address": "已办理：订单 {order_id} 将寄往新地址。",
        "done_modify_user_address": "已办理：您的默认地址已更新。",
        "done_modify_pending_order_payment": "已办理：订单 {order_id} 已改用新的支付方式。",
        "done_modify_pending_order_items": "已办理：订单 {order_id} 的商品已修改。",
        "done_return_delivered_order_items": "已办理：订单 {order_id} 的退货申请已提交，"
                                             "请留意邮件中的后续步骤。",
        "done_exchange_delivered_order_items": "已办理：订单 {order_id} 的换货申请已提交，"
                                               "请留意邮件中的后续步骤。",
        "repeated": "（此前已经办理过，这次没有重复操作。）",
        "refused": "无法办理：{why}",
        "why_order_not_found": "您的账户下没有订单 {order_id}。",
        "why_not_cancellable": "订单 {order_id} 的状态是「{status}」，只有待处理的订单可以取消。",
        "why_not_modifiable": "订单 {order_id} 的状态是「{status}」，只有待处理的订单可以修改。",
        "why_not_returnable": "订单 {order_id} 的状态是「{status}」，只有已送达的订单可以退货。",
        "why_not_exchangeable": "订单 {order_id} 的状态是「{status}」，只有已送达的订单可以换货。",
        "why_bad_reason": "只有「不再需要」或「下错单」两种原因可以取消订单。",
        "why_item_not_in_order": "这件商品不在订单 {order_id} 中。",
        "why_item_count_mismatch": "每件商品都需要对应一个新款式。",
        "why_new_item_unavailable": "该商品没有这个款式可选。",
        "why_payment_not_found": "您的账户中没有这个支付方式。",
        "why_insufficient_gift_card": "礼品卡余额不足。",
        "why_payment_not_single": "这个订单的支付方式已不能修改。",
        "why_same_payment": "订单已经在使用这个支付方式。",
        "why_refund_method_not_allowed": "退款只能退到原支付方式或礼品卡。",
        "why_no_items": "没有选择商品。",
        "why_too_many_items": "一次申请的商品太多了。",
        "why_address_incomplete": "地址需要包括街道、城市、国家和邮编。",
        "why_customer_not_found": "没有找到您的账户。",
    },
}

REASONS = {"en": {"no longer needed": "no longer needed", "ordered by mistake":
                  "ordered by mistake"},
           "zh": {"no longer needed": "不再需要", "ordered by mistake": "下错单"}}
