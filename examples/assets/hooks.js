// Client hooks of the demo gallery, registered before the liveui bundle connects.
window.liveuiHooks = {
  Greeter: {
    mounted() {
      this.handleEvent("highlight", ({id, n}) => {
        const el = document.getElementById(id);
        el.classList.add("highlight");
        document.getElementById("highlighted").textContent = `highlighted ${id} (${n})`;
      });
      this.pushEvent("hello", {name: "hook"}).then((reply) => {
        this.el.querySelector("#greeting").textContent = reply.greeting;
      });
    },
  },
};
